//! The API document says what the service answers: real answers are checked against the
//! document's schemas (a small JSON Schema checker: `$ref`, `allOf`, `oneOf`, `type`, `enum`,
//! `required`, `properties`, `items`, `additionalProperties`) and media types.

use image::{DynamicImage, ImageFormat};
use notarium::domain::TenantRole;
use notarium::http::api_doc::document;
use serde_json::{Value, json};

use crate::invoices::{check, content_hash, invoice, issue};
use crate::pictures::{encode, picture, register};
use crate::support::TestApp;

/// Why `value` does not match `schema`, if it does not.
fn mismatch(doc: &Value, schema: &Value, value: &Value, at: &str) -> Option<String> {
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        return mismatch(doc, &doc["components"]["schemas"][name], value, at);
    }
    let all = schema["allOf"].as_array().into_iter().flatten();
    if let Some(why) = all.into_iter().find_map(|s| mismatch(doc, s, value, at)) {
        return Some(why);
    }
    if let Some(one) = schema["oneOf"].as_array() {
        let fits = one.iter().filter(|s| mismatch(doc, s, value, at).is_none()).count();
        if fits != 1 {
            return Some(format!("{at}: {value} fits {fits} of the oneOf, not exactly 1"));
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let type_of = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let fits = types.contains(&type_of) || (type_of == "integer" && types.contains(&"number"));
    if !types.is_empty() && !fits {
        return Some(format!("{at}: {type_of}, the schema says {types:?}"));
    }
    if let Some(allowed) = schema["enum"].as_array().filter(|a| !a.contains(value)) {
        return Some(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Value::Object(fields) = value {
        for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !fields.contains_key(name) {
                return Some(format!("{at}: {name} is required"));
            }
        }
        let properties = schema["properties"].as_object();
        for (name, field) in fields {
            let why = match properties.and_then(|p| p.get(name)) {
                Some(s) => mismatch(doc, s, field, &format!("{at}/{name}")),
                None if schema["additionalProperties"] == json!(false) => {
                    Some(format!("{at}: {name} is not in the schema"))
                }
                None => None,
            };
            if why.is_some() {
                return why;
            }
        }
    }
    if let (Value::Array(items), Some(item)) = (value, schema.get("items")) {
        return items.iter().enumerate().find_map(|(i, v)| mismatch(doc, item, v, &format!("{at}/{i}")));
    }
    None
}

#[tokio::test]
async fn check_answers_of_every_verdict_match_the_documented_schema() {
    let app = TestApp::spawn().await;
    let doc = serde_json::to_value(document()).unwrap();
    let schema =
        &doc["paths"]["/v1/invoices/check"]["post"]["responses"]["200"]["content"]["application/json"]["schema"];
    let inv = invoice("DEMO-HOSP", "DOC-1");
    issue(&app, &inv).await;
    let insurer = app.key(TenantRole::Insurer).to_owned();
    let by_hash = |number: &str| json!({ "issuer": "DEMO-HOSP", "invoice_code": "330100-2026", "invoice_number": number, "content_hash": content_hash(&inv) });
    let mut altered = inv.clone();
    altered["reimbursable"] = json!("99.00");
    for (body, verdict) in [(inv.clone(), "authentic"), (altered, "altered"), (by_hash("NO-SUCH-1"), "unknown")] {
        let answer = check(&app, &insurer, &body).await;
        assert_eq!(answer["verdict"], verdict, "{answer}");
        assert_eq!(mismatch(&doc, schema, &answer, ""), None, "{verdict}: {answer}");
    }
    // The checker is not blind: a verdict-less or mixed answer is refused.
    let unknown = check(&app, &insurer, &by_hash("NO-SUCH-2")).await;
    let mut wrong = unknown.clone();
    wrong["verdict"] = json!("authentic");
    assert!(mismatch(&doc, schema, &wrong, "").is_some(), "authentic without the facts");
}

#[tokio::test]
async fn an_original_is_served_with_a_media_type_the_document_lists() {
    let app = TestApp::spawn().await;
    let doc = serde_json::to_value(document()).unwrap();
    let listed = doc["paths"]["/v1/images/{id}/original"]["get"]["responses"]["200"]["content"].as_object().unwrap();
    let key = app.key(TenantRole::Merchant).to_owned();
    let png = encode(&DynamicImage::ImageRgb8(picture(7, 320, 240)), ImageFormat::Png);
    let id = register(&app, &key, png, "A PNG", false).await.id;
    let res = app.get(&format!("/v1/images/{id}/original"), Some(&key)).await;
    assert_eq!(res.status(), 200);
    let served = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(served, "image/png");
    assert!(listed.contains_key(&served), "{served} is not among {:?}", listed.keys().collect::<Vec<_>>());
}
