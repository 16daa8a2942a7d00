use serde_json::{Value, json};

use super::*;

fn example() -> Value {
    serde_json::from_str(include_str!("../../../docs/invoice-example.json")).unwrap()
}

/// The problems of `invoice` as (pointer, code).
fn problems(invoice: &Value) -> Vec<(String, &'static str)> {
    Invoice::parse(invoice).unwrap_err().into_iter().map(|e| (e.pointer, e.code)).collect()
}

fn with(change: impl FnOnce(&mut Value)) -> Value {
    let mut v = example();
    change(&mut v);
    v
}

#[test]
fn the_documented_example_is_valid() {
    let invoice = Invoice::parse(&example()).unwrap();
    assert_eq!(invoice.total, Amount(18_200));
    assert_eq!(invoice.reimbursable, Amount(8_200));
    assert_eq!(invoice.lines.len(), 3);
    assert_eq!(invoice.encounter.kind, EncounterType::Outpatient);
    assert_eq!(invoice.payer.masked_id, "3301**********1234");
}

#[test]
fn each_problem_is_named_by_its_pointer() {
    let cases: Vec<(Value, (&str, &str))> = vec![
        (with(|v| v["lines"][0]["amount"] = json!("120.000")), ("/lines/0/amount", "invalid_format")),
        (with(|v| v["total"] = json!(182.00)), ("/total", "invalid_type")),
        (with(|v| drop(v.as_object_mut().unwrap().remove("issuer"))), ("/issuer", "missing_field")),
        (with(|v| v["payer"]["masked_id"] = json!("330102199001011234")), ("/payer/masked_id", "invalid_format")),
        (with(|v| v["payer"]["masked_id"] = json!("33010*****11234")), ("/payer/masked_id", "invalid_format")),
        (with(|v| v["lines"][1]["amount"] = json!("38.00")), ("/total", "sum_mismatch")),
        (with(|v| v["self_pay"] = json!("50.00")), ("/total", "split_mismatch")),
        (with(|v| v["reimbursable"] = json!("82.01")), ("/reimbursable", "exceeds_limit")),
        (with(|v| v["discount"] = json!("1.00")), ("/discount", "unknown_field")),
        (with(|v| v["payer"]["national_id"] = json!("x")), ("/payer/national_id", "unknown_field")),
        (with(|v| v["issue_date"] = json!("2026-02-30")), ("/issue_date", "invalid_format")),
        (with(|v| v["encounter"]["end_date"] = json!("2026-11-20")), ("/encounter/end_date", "invalid_value")),
        (with(|v| v["encounter"]["type"] = json!("emergency")), ("/encounter/type", "invalid_format")),
        (with(|v| v["lines"] = json!([])), ("/lines", "invalid_value")),
        (with(|v| v["lines"][2]["quantity"] = json!("0")), ("/lines/2/quantity", "invalid_format")),
        (with(|v| v["currency"] = json!("cny")), ("/currency", "invalid_format")),
        (with(|v| v["issue_date"] = json!("2026-11-20")), ("/issue_date", "invalid_value")),
    ];
    for (invoice, (pointer, code)) in cases {
        let found = problems(&invoice);
        assert!(found.iter().any(|(p, c)| p == pointer && *c == code), "{pointer} {code}: {found:?}");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let invoice = with(|v| {
        v["total"] = json!(1);
        v["lines"][0]["unit_price"] = json!("1.5");
        v["payer"]["masked_id"] = json!("330102199001011234");
        v["extra"] = json!(true);
    });
    let pointers: Vec<String> = problems(&invoice).into_iter().map(|(p, _)| p).collect();
    for expected in ["/total", "/lines/0/unit_price", "/payer/masked_id", "/extra"] {
        assert!(pointers.iter().any(|p| p == expected), "{expected}: {pointers:?}");
    }
    assert_eq!(problems(&json!([1, 2])), vec![(String::new(), "invalid_type")]);
}

#[test]
fn masked_ids_show_at_most_four_characters_at_each_end() {
    for ok in ["3301**********1234", "****", "1***", "***9", "ABCD*WXYZ"] {
        assert!(masked_id_ok(ok), "{ok}");
    }
    for bad in [
        "330102199001011234",
        "33010*********1234",
        "3301*********01234",
        "3301*12*34",
        "",
        "3301 ****1234",
        "３３０1**1234",
    ] {
        assert!(!masked_id_ok(bad), "{bad}");
    }
}

#[test]
fn the_json_schema_requires_exactly_the_model_fields() {
    let schema: Value = serde_json::from_str(include_str!("../../../docs/invoice.schema.json")).unwrap();
    let required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(required, FIELDS.to_vec());
    let properties: std::collections::BTreeSet<&str> =
        schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(properties, FIELDS.into_iter().collect());
    assert_eq!(schema["additionalProperties"], json!(false));
}
