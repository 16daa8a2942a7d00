//! What is refused: bad invoices (with their status and code, storing nothing), altered
//! ones, and a role doing another role's part.

use notarium::domain::{Hash, TenantRole};
use serde_json::{Value, json};

use super::{check, content_hash, invoice, issue, path};
use crate::support::{TestApp, problem};

#[tokio::test]
async fn bad_invoices_get_their_status_and_code_and_store_nothing() {
    let app = TestApp::spawn().await;
    let hospital = app.key(TenantRole::Hospital).to_owned();
    issue(&app, &invoice("DEMO-HOSP", "DUP-1")).await;
    let before = app.evidence_count().await;
    type Change = fn(&mut Value);
    let cases: Vec<(&str, Change, u16, &str, &str)> = vec![
        ("duplicate issuance", (|_: &mut Value| {}), 409, "invoice_exists", ""),
        (
            "lines not summing to total",
            (|v: &mut Value| v["lines"][0]["amount"] = json!("119.00")),
            422,
            "sum_mismatch",
            "/total",
        ),
        ("3 decimals", (|v: &mut Value| v["total"] = json!("200.000")), 422, "invalid_format", "/total"),
        ("a JSON number", (|v: &mut Value| v["self_pay"] = json!(100.0)), 422, "invalid_type", "/self_pay"),
        (
            "a missing field",
            (|v: &mut Value| {
                v.as_object_mut().unwrap().remove("currency");
            }),
            422,
            "missing_field",
            "/currency",
        ),
        (
            "an 18-digit national id",
            (|v: &mut Value| v["payer"]["masked_id"] = json!("330106199001011234")),
            422,
            "invalid_format",
            "/payer/masked_id",
        ),
        ("another hospital's code", (|v: &mut Value| v["issuer"] = json!("OTHER-HOSP")), 403, "issuer_not_yours", ""),
    ];
    for (what, change, status, code, pointer) in cases {
        let mut inv = invoice("DEMO-HOSP", if code == "invoice_exists" { "DUP-1" } else { "BAD-1" });
        change(&mut inv);
        let res = app.post_json("/v1/invoices", Some(&hospital), &inv).await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], status, "{what}: {body}");
        if status == 422 {
            let errors = body["errors"].as_array().unwrap();
            assert!(errors.iter().any(|e| e["code"] == code && e["pointer"] == pointer), "{what}: {body}");
            assert_eq!(body["code"], "invalid_field");
        } else {
            assert_eq!(body["code"], code, "{what}");
        }
    }
    // Duplicate keys would let a reader see one value while the hash covers another.
    let text = invoice("DEMO-HOSP", "BAD-2").to_string().replacen(
        "\"currency\":\"CNY\"",
        "\"currency\":\"CNY\",\"currency\":\"USD\"",
        1,
    );
    let res = app.post_raw("/v1/invoices", &hospital, "application/json", text).await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.evidence_count().await, before, "nothing was stored");
    let store = app.store().await;
    let listed = store
        .invoices_of(
            &app.store()
                .await
                .list_tenants()
                .await
                .unwrap()
                .iter()
                .find(|t| t.role == TenantRole::Hospital)
                .unwrap()
                .id,
            None,
            100,
        )
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
}

#[tokio::test]
async fn altered_is_told_apart_and_a_wrong_hash_looks_like_an_unknown_number() {
    let app = TestApp::spawn().await;
    let inv = invoice("DEMO-HOSP", "ALT-1");
    issue(&app, &inv).await;
    let insurer = app.key(TenantRole::Insurer).to_owned();
    let mut altered = inv.clone();
    altered["reimbursable"] = json!("99.00");
    assert_eq!(check(&app, &insurer, &altered).await["verdict"], "altered");

    // `altered` needs the real invoice's payer token: a made-up object or a copy with another
    // token cannot tell an existing number from an unknown one.
    let made_up = json!({ "issuer": "DEMO-HOSP", "invoice_code": "330100-2026", "invoice_number": "ALT-1" });
    assert_eq!(check(&app, &insurer, &made_up).await["verdict"], "unknown");
    let mut other_payer = altered.clone();
    other_payer["payer"]["token"] = json!("GUESSEDTOKEN-0123456789");
    assert_eq!(check(&app, &insurer, &other_payer).await["verdict"], "unknown");

    let by_hash = |number: &str, hash: String| json!({ "issuer": "DEMO-HOSP", "invoice_code": "330100-2026", "invoice_number": number, "content_hash": hash });
    let wrong = check(&app, &insurer, &by_hash("ALT-1", Hash::of(b"not it").to_string())).await;
    let unknown = check(&app, &insurer, &by_hash("NO-SUCH-1", content_hash(&inv))).await;
    let strip = |mut v: Value| {
        v["invoice_number"] = json!("N");
        v
    };
    assert_eq!(strip(wrong), strip(unknown.clone()), "a wrong hash answers like an unknown number");
    assert_eq!(unknown["verdict"], "unknown");
    // A number's log has its own checks only (unknown numbers are logged under theirs).
    let detail: Value = app.get(&path("ALT-1"), Some(app.key(TenantRole::Hospital))).await.json().await.unwrap();
    let verdicts: Vec<&str> =
        detail["checks"].as_array().unwrap().iter().map(|c| c["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["unknown", "unknown", "unknown", "altered"]);
    assert_eq!(detail["checks"][0]["insurer"], "Demo insurer");
}

#[tokio::test]
async fn each_role_does_only_its_own_part() {
    let app = TestApp::spawn().await;
    let inv = invoice("DEMO-HOSP", "ROLE-1");
    let hash = content_hash(&inv);
    issue(&app, &inv).await;
    let (merchant, hospital, insurer) =
        (app.key(TenantRole::Merchant), app.key(TenantRole::Hospital), app.key(TenantRole::Insurer));
    let store = app.store().await;
    let other_hospital =
        store.create_tenant("Other Hospital", TenantRole::Hospital, Some("OTHER-HOSP")).await.unwrap().1;

    let res = app.post_json("/v1/invoices", Some(merchant), &invoice("DEMO-HOSP", "ROLE-2")).await;
    assert_eq!(problem(res).await, (403, "role_not_allowed".into()), "a merchant cannot issue");
    let body = json!({ "content_hash": hash, "amount": "1.00", "claim_reference": "H-1" });
    let res = app.post_json(&format!("{}/claims", path("ROLE-1")), Some(hospital), &body).await;
    assert_eq!(problem(res).await, (403, "role_not_allowed".into()), "a hospital cannot claim");
    let res = app.post_json(&format!("{}/void", path("ROLE-1")), Some(insurer), &json!({ "reason": "x" })).await;
    assert_eq!(problem(res).await, (403, "role_not_allowed".into()), "an insurer cannot void");
    let res = app.post_json("/v1/invoices/check", Some(hospital), &inv).await;
    assert_eq!(problem(res).await, (403, "role_not_allowed".into()), "a hospital cannot check");
    // Another hospital sees nothing of it.
    assert_eq!(problem(app.get(&path("ROLE-1"), Some(&other_hospital)).await).await, (404, "not_found".into()));
    let res =
        app.post_json(&format!("{}/void", path("ROLE-1")), Some(&other_hospital), &json!({ "reason": "x" })).await;
    assert_eq!(problem(res).await, (404, "not_found".into()));
    let res = app.http.delete(app.url(&format!("{}/content", path("ROLE-1")))).bearer_auth(&other_hospital).send();
    assert_eq!(problem(res.await.unwrap()).await, (404, "not_found".into()));
    let list: Value = app.get("/v1/invoices", Some(&other_hospital)).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let list: Value = app.get("/v1/invoices", Some(hospital)).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // The invoice record is the hospital's, not a merchant's or an insurer's.
    let record_id = list["items"][0]["evidence"]["id"].as_str().unwrap();
    for key in [merchant, insurer, other_hospital.as_str()] {
        let res = app.get(&format!("/v1/evidence/{record_id}"), Some(key)).await;
        assert_eq!(res.status(), 404);
    }
}

#[tokio::test]
async fn checks_of_unknown_numbers_are_in_the_access_log_at_most_60_a_minute_per_insurer() {
    let app = TestApp::spawn().await;
    let insurer = app.key(TenantRole::Insurer).to_owned();
    let probe = |n: u32| json!({ "issuer": "DEMO-HOSP", "invoice_code": "330100-2026", "invoice_number": format!("NO-SUCH-{n}"), "content_hash": Hash::of(b"x").to_string() });
    for n in 0..80 {
        assert_eq!(check(&app, &insurer, &probe(n)).await["verdict"], "unknown");
    }
    let mut db = app.db().await;
    let counted = db.integers("SELECT COUNT(*) FROM invoice_checks WHERE invoice_number LIKE 'NO-SUCH-%'").await;
    // 60 at once, then one a second: 80 checks take far less than the 20 s that would log all.
    assert!((60..80).contains(&counted[0]), "60 a minute per insurer: {counted:?} of 80 logged");
    let sql = "SELECT COUNT(*) FROM invoice_checks WHERE invoice_number = 'NO-SUCH-0' AND verdict = 'unknown'";
    assert_eq!(db.integers(sql).await, [1]);
}
