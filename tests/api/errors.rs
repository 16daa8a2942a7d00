//! Bad input gets the right status and code, and writes nothing.

use notarium::domain::{Hash, TenantRole};
use serde_json::{Value, json};

use crate::support::{TestApp, problem};

#[actix_web::test]
async fn bad_input_is_refused_with_the_right_code_and_writes_nothing() {
    let app = TestApp::spawn_with(|s| s.max_upload_bytes = 1000).await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let existing = app.register(b"the one record").await;
    let good = Hash::of(b"x").to_string();
    let item = |h: &str| json!({"kind": "document", "content_hash": h});

    let json = "application/json";
    for body in ["{\"kind\": ", "[1, 2", "{} {}"] {
        assert_eq!(
            problem(app.post_raw("/v1/evidence", &key, json, body).await).await,
            (400, "malformed_body".into()),
            "{body}"
        );
    }
    let key = app.key(TenantRole::Merchant);
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        ("63 digits", item(&good[..63]), 422, "invalid_field"),
        ("65 digits", item(&format!("{good}0")), 422, "invalid_field"),
        ("uppercase", item(&good.to_uppercase()), 422, "invalid_field"),
        ("non-hex", item(&"z".repeat(64)), 422, "invalid_field"),
        ("unknown kind", json!({"kind": "poem", "content_hash": good}), 422, "invalid_field"),
        ("kind with its own route", json!({"kind": "invoice", "content_hash": good}), 422, "invalid_field"),
        ("unknown field", json!({"kind": "document", "content_hash": good, "color": "red"}), 422, "invalid_field"),
        ("missing field", json!({"kind": "document"}), 422, "invalid_field"),
    ];
    for (what, body, status, code) in cases {
        let res = app.post_json("/v1/evidence", Some(key), &body).await;
        assert_eq!(problem(res).await, (status, code.to_owned()), "{what}");
    }
    let dup = format!(r#"{{"kind":"document","content_hash":"{good}","metadata":{{"a":1,"a":2}}}}"#);
    assert_eq!(problem(app.post_raw("/v1/evidence", key, json, dup).await).await, (422, "invalid_field".into()));

    let res = app.post_json("/v1/evidence", Some(key), &item("AB")).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["pointer"], "/content_hash");

    for n in [0usize, 10_001] {
        let items: Vec<Value> = (0..n).map(|i| item(&Hash::of(&i.to_le_bytes()).to_string())).collect();
        let res = app.post_json("/v1/evidence/batch", Some(key), &json!({ "items": items })).await;
        assert_eq!(problem(res).await, (422, "invalid_field".into()), "batch of {n}");
    }
    let mut bad_batch: Vec<Value> = (0..3).map(|i: u8| item(&Hash::of(&[i]).to_string())).collect();
    bad_batch[2] = item("nope");
    let res = app.post_json("/v1/evidence/batch", Some(key), &json!({ "items": bad_batch })).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["pointer"], "/items/2/content_hash", "a batch is all-or-nothing");

    let huge = vec![b' '; (16 << 20) + 1];
    assert_eq!(problem(app.post_raw("/v1/evidence/batch", key, json, huge).await).await, (413, "too_large".into()));
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(vec![7u8; 1001]));
    let res = app.http.post(app.url("/v1/evidence")).bearer_auth(key).multipart(form).send().await.unwrap();
    assert_eq!(problem(res).await, (413, "too_large".into()));
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(Vec::new()));
    let res = app.http.post(app.url("/v1/evidence")).bearer_auth(key).multipart(form).send().await.unwrap();
    assert_eq!(problem(res).await, (422, "invalid_field".into()));
    assert_eq!(
        problem(app.post_raw("/v1/evidence", key, "text/plain", "hi").await).await,
        (415, "unsupported_media_type".into())
    );

    assert_eq!(problem(app.post_json("/v1/evidence", None, &item(&good)).await).await, (401, "missing_api_key".into()));
    assert_eq!(
        problem(app.post_json("/v1/evidence", Some("ntk_nope"), &item(&good)).await).await,
        (401, "invalid_api_key".into())
    );
    let store = app.store().await;
    assert!(store.revoke_api_key(app.key(TenantRole::Insurer)).await.unwrap());
    // Revoked by another process: the server's credential cache forgets it within its TTL.
    tokio::time::sleep(notarium::store::CREDENTIAL_TTL).await;
    let res = app.post_json("/v1/evidence", Some(app.key(TenantRole::Insurer)), &item(&good)).await;
    assert_eq!(problem(res).await, (401, "invalid_api_key".into()));

    // Another tenant's record is indistinguishable from an unknown id.
    let id = existing.id.to_string();
    let theirs = app.get(&format!("/v1/evidence/{id}"), Some(app.key(TenantRole::Hospital))).await;
    let unknown =
        app.get("/v1/evidence/019aa6b2-5c00-7000-8000-000000000001", Some(app.key(TenantRole::Hospital))).await;
    assert_eq!((theirs.status().as_u16(), unknown.status().as_u16()), (404, 404));
    assert_eq!(theirs.json::<Value>().await.unwrap(), unknown.json::<Value>().await.unwrap());
    let res = app.get(&format!("/v1/evidence/{id}/receipt"), Some(app.key(TenantRole::Hospital))).await;
    assert_eq!(problem(res).await, (404, "not_found".into()));

    let res = app.get(&format!("/v1/evidence/{id}/receipt?wait=31"), Some(app.key(TenantRole::Merchant))).await;
    assert_eq!(problem(res).await, (400, "invalid_wait".into()));
    assert_eq!(problem(app.get("/v1/nowhere", None).await).await, (404, "not_found".into()));

    assert_eq!(app.evidence_count().await, 1, "only the one good record was written");
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_method_on_a_known_route_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let cases = [
        ("TRACE", "/v1/evidence", "GET, POST"),
        ("DELETE", "/healthz", "GET"),
        ("GET", "/v1/verify", "POST"),
        ("PUT", "/v1/invoices/H/C/N/void", "POST"),
        ("TRACE", "/verify", "GET, POST"),
    ];
    for (method, path, allow) in cases {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let res = app.http.request(method.clone(), app.url(path)).bearer_auth(&key).send().await.unwrap();
        assert_eq!(
            res.headers().get("allow").map(|v| v.to_str().unwrap().to_owned()),
            Some(allow.into()),
            "{method} {path}"
        );
        assert_eq!(problem(res).await, (405, "method_not_allowed".into()), "{method} {path}");
    }
    let res = app.http.request(reqwest::Method::TRACE, app.url("/no/such/route")).send().await.unwrap();
    assert!(!res.headers().contains_key("allow"));
    assert_eq!(problem(res).await, (404, "not_found".into()));
}
