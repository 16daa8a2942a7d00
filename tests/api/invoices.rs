//! Invoices over HTTP: issue, check, claim at most the reimbursable amount (also under a race
//! of 50 claims from 5 insurers), withdraw, void, roles, bad input, receipts.

use std::collections::HashSet;

use notarium::domain::canonical::canonical_json;
use notarium::domain::{Hash, TenantRole};
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem};

/// A valid invoice of 200.00 with 100.00 reimbursable (the fund paid the other 100.00).
pub fn invoice(issuer: &str, number: &str) -> Value {
    json!({
        "issuer": issuer,
        "invoice_code": "330100-2026",
        "invoice_number": number,
        "issue_date": "2026-11-21",
        "currency": "CNY",
        "payer": { "masked_id": "3301**********1234", "token": "PAYERTOKEN-q7Rk2mX9vB4nL8s" },
        "encounter": { "type": "inpatient", "number": "A2026-0042", "start_date": "2026-11-18", "end_date": "2026-11-21" },
        "lines": [
            { "category": "bed", "description": "Ward bed, 3 nights", "quantity": "3", "unit_price": "40.00", "amount": "120.00" },
            { "category": "medicine", "description": "Amoxicillin 0.25 g x 24", "quantity": "2", "unit_price": "40.00", "amount": "80.00" }
        ],
        "total": "200.00",
        "paid_by_fund": "100.00",
        "paid_by_personal_account": "0.00",
        "self_pay": "100.00",
        "reimbursable": "100.00"
    })
}

pub fn path(number: &str) -> String {
    format!("/v1/invoices/DEMO-HOSP/330100-2026/{number}")
}

pub fn content_hash(invoice: &Value) -> String {
    Hash::of(&canonical_json(invoice)).to_string()
}

/// Issues `invoice` as the demo hospital; the response.
pub async fn issue(app: &TestApp, invoice: &Value) -> Value {
    let res = app.post_json("/v1/invoices", Some(app.key(TenantRole::Hospital)), invoice).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// A claim: (status, body).
pub async fn claim(app: &TestApp, key: &str, number: &str, hash: &str, amount: &str, reference: &str) -> (u16, Value) {
    let body = json!({ "content_hash": hash, "amount": amount, "claim_reference": reference });
    let res = app.post_json(&format!("{}/claims", path(number)), Some(key), &body).await;
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn insurer(app: &TestApp, name: &str) -> String {
    app.store().await.create_tenant(name, TenantRole::Insurer, None).await.unwrap().1
}

async fn check(app: &TestApp, key: &str, body: &Value) -> Value {
    let res = app.post_json("/v1/invoices/check", Some(key), body).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn issue_check_claim_withdraw_void_lifecycle() {
    let app = TestApp::spawn().await;
    let inv = invoice("DEMO-HOSP", "L-1");
    let hash = content_hash(&inv);
    let issued = issue(&app, &inv).await;
    assert_eq!(issued["content_hash"], hash.as_str(), "BLAKE3 of the canonical JSON as submitted");
    assert_eq!((issued["status"].as_str(), issued["remaining"].as_str()), (Some("issued"), Some("100.00")));
    let (a, b) = (app.key(TenantRole::Insurer).to_owned(), insurer(&app, "Commercial Insurer B").await);

    let checked = check(&app, &a, &inv).await;
    assert_eq!(checked["verdict"], "authentic");
    assert_eq!((checked["reimbursable"].as_str(), checked["remaining"].as_str()), (Some("100.00"), Some("100.00")));

    let (s, first) = claim(&app, &a, "L-1", &hash, "60.00", "A-1").await;
    assert_eq!((s, first["remaining"].as_str()), (201, Some("40.00")), "{first}");
    let (s, over) = claim(&app, &b, "L-1", &hash, "50.00", "B-1").await;
    assert_eq!(
        (s, over["code"].as_str(), over["remaining"].as_str()),
        (409, Some("amount_exceeds_remaining"), Some("40.00"))
    );
    let (s, b_claim) = claim(&app, &b, "L-1", &hash, "40.00", "B-2").await;
    assert_eq!((s, b_claim["remaining"].as_str()), (201, Some("0.00")));
    for (key, reference) in [(&a, "A-2"), (&b, "B-3")] {
        let (s, body) = claim(&app, key, "L-1", &hash, "0.01", reference).await;
        assert_eq!((s, body["code"].as_str()), (409, Some("amount_exceeds_remaining")));
    }
    // The same reference: the same body is the first result, another body a conflict.
    let (s, again) = claim(&app, &a, "L-1", &hash, "60.00", "A-1").await;
    assert_eq!((s, &again["id"]), (200, &first["id"]));
    let (s, reused) = claim(&app, &a, "L-1", &hash, "59.00", "A-1").await;
    assert_eq!((s, reused["code"].as_str()), (409, Some("claim_reference_reused")));

    // What a check shows: amounts and times, the caller's own claim ids only.
    let seen = check(
        &app,
        &b,
        &json!({ "issuer": "DEMO-HOSP", "invoice_code": "330100-2026",
        "invoice_number": "L-1", "content_hash": hash }),
    )
    .await;
    assert_eq!((seen["claimed"].as_str(), seen["remaining"].as_str()), (Some("100.00"), Some("0.00")));
    let claims = seen["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 2);
    assert!(claims[0].get("id").is_none() && claims[1]["id"] == b_claim["id"], "{seen}");
    assert!(!seen.to_string().contains("Insurer"), "no insurer names: {seen}");

    // A withdraws: 60.00 claimable again.
    let withdraw = format!("{}/claims/{}/withdraw", path("L-1"), first["id"].as_str().unwrap());
    let res = app.post_json(&withdraw, Some(&a), &json!({})).await;
    assert_eq!(res.status(), 201);
    let withdrawn: Value = res.json().await.unwrap();
    assert!(withdrawn["withdrawn"].is_string() && withdrawn["remaining"] == "60.00", "{withdrawn}");
    assert_eq!(problem(app.post_json(&withdraw, Some(&a), &json!({})).await).await, (409, "claim_withdrawn".into()));
    assert_eq!(problem(app.post_json(&withdraw, Some(&b), &json!({})).await).await, (404, "not_found".into()));
    assert_eq!(check(&app, &a, &inv).await["remaining"], "60.00");

    // Void is refused while B's claim is active, allowed after it is withdrawn.
    let hospital = app.key(TenantRole::Hospital);
    let void = format!("{}/void", path("L-1"));
    let res = app.post_json(&void, Some(hospital), &json!({ "reason": "issued in error" })).await;
    assert_eq!(problem(res).await, (409, "invoice_claimed".into()));
    let withdraw_b = format!("{}/claims/{}/withdraw", path("L-1"), b_claim["id"].as_str().unwrap());
    assert_eq!(app.post_json(&withdraw_b, Some(&b), &json!({})).await.status(), 201);
    let res = app.post_json(&void, Some(hospital), &json!({ "reason": "issued in error" })).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "voided");
    for (key, reference) in [(&a, "A-3"), (&b, "B-4")] {
        let (s, body) = claim(&app, key, "L-1", &hash, "1.00", reference).await;
        assert_eq!((s, body["code"].as_str()), (409, Some("invoice_voided")));
    }
    assert_eq!(check(&app, &a, &inv).await["verdict"], "voided");
    let res = app.post_json(&void, Some(hospital), &json!({ "reason": "again" })).await;
    assert_eq!(problem(res).await, (409, "invoice_voided".into()));

    // The hospital sees it all: claims with insurer names, the void, the access log.
    let detail: Value = app.get(&path("L-1"), Some(hospital)).await.json().await.unwrap();
    assert_eq!(detail["claims"].as_array().unwrap().len(), 2);
    assert!(detail["claims"].as_array().unwrap().iter().all(|c| c["withdrawn"].is_string()));
    assert_eq!(detail["void"]["reason"], "issued in error");
    assert_eq!(detail["body"], inv);
    let verdicts: Vec<&str> =
        detail["checks"].as_array().unwrap().iter().map(|c| c["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["voided", "authentic", "authentic", "authentic"], "newest first");
    app.stop().await;
}

#[tokio::test]
async fn fifty_concurrent_claims_from_five_insurers_pay_out_exactly_the_reimbursable_amount() {
    let app = TestApp::spawn().await;
    let inv = invoice("DEMO-HOSP", "RACE-1");
    let hash = content_hash(&inv);
    issue(&app, &inv).await;
    let mut keys = vec![app.key(TenantRole::Insurer).to_owned()];
    for i in 2..=5 {
        keys.push(insurer(&app, &format!("Insurer {i}")).await);
    }
    let before = app.evidence_count().await;
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (app, key, hash) = (app.clone(), keys[i % 5].clone(), hash.clone());
            tokio::spawn(async move { claim(&app, &key, "RACE-1", &hash, "10.00", &format!("R-{i}")).await })
        })
        .collect();
    let mut created = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (201, body) => created.push(body),
            (409, body) => assert_eq!(body["code"], "amount_exceeds_remaining", "{body}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(created.len(), 10, "exactly 10 of 50 claims of 10 % succeed");
    let ids: HashSet<&str> = created.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 10);
    let store = app.store().await;
    let key = notarium::store::invoices::InvoiceKey {
        issuer: "DEMO-HOSP".into(),
        code: "330100-2026".into(),
        number: "RACE-1".into(),
    };
    let claims = store.claims_of(&key).await.unwrap();
    assert_eq!(claims.len(), 10);
    assert_eq!(claims.iter().map(|c| c.amount.0).sum::<u64>(), 10_000);
    let row = store.invoice(&key).await.unwrap().unwrap();
    assert_eq!((row.ledger.claimed.0, row.ledger.remaining().0), (10_000, 0));
    // The evidence log holds exactly the 10 claim records, nothing for the refused 40.
    assert_eq!(app.evidence_count().await, before + 10);
    let mut claim_records = 0;
    for c in &created {
        let id = c["evidence"]["id"].as_str().unwrap().parse().unwrap();
        let record = store.evidence_by_id(&id).await.unwrap().unwrap();
        assert_eq!(record.kind.as_str(), "claim");
        claim_records += 1;
    }
    assert_eq!(claim_records, 10);
}

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
    // Only the numbers that exist are logged, for their hospital.
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

/// `notarium verify RECEIPT --trust ca.pem --file CONTENT` exits 0.
fn verify_cli(app: &TestApp, receipt: &notarium::domain::Receipt, content: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let (rpath, fpath) = (dir.path().join("receipt.json"), dir.path().join("content.json"));
    std::fs::write(&rpath, receipt.to_json_pretty()).unwrap();
    std::fs::write(&fpath, content).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_notarium"))
        .arg("verify")
        .arg(&rpath)
        .arg("--trust")
        .arg(app.trust_dir().join("ca.pem"))
        .arg("--file")
        .arg(&fpath)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[tokio::test]
async fn every_invoice_claim_withdrawal_and_void_gets_a_receipt_notarium_verify_accepts() {
    let app = TestApp::spawn().await;
    let (hospital, insurer) = (app.key(TenantRole::Hospital).to_owned(), app.key(TenantRole::Insurer).to_owned());
    let inv = invoice("DEMO-HOSP", "RCPT-1");
    let issued = issue(&app, &inv).await;
    let (_, claimed) = claim(&app, &insurer, "RCPT-1", &content_hash(&inv), "25.00", "RC-1").await;
    let withdraw = format!("{}/claims/{}/withdraw", path("RCPT-1"), claimed["id"].as_str().unwrap());
    let withdrawn: Value = app.post_json(&withdraw, Some(&insurer), &json!({})).await.json().await.unwrap();
    let res = app.post_json(&format!("{}/void", path("RCPT-1")), Some(&hospital), &json!({ "reason": "test" })).await;
    assert_eq!(res.status(), 201);
    let detail: Value = app.get(&path("RCPT-1"), Some(&hospital)).await.json().await.unwrap();

    // The invoice's receipt binds the canonical JSON exactly as submitted.
    let receipt = app.anchored_receipt(issued["evidence"]["id"].as_str().unwrap(), &hospital).await;
    assert_eq!(receipt.evidence.kind.as_str(), "invoice");
    verify_cli(&app, &receipt, &canonical_json(&inv));
    // Claims, withdrawals and voids commit to their own canonical documents (their metadata).
    for (id, key, kind) in [
        (&claimed["evidence"]["id"], &insurer, "claim"),
        (&withdrawn["withdrawal"]["id"], &insurer, "claim-withdrawal"),
        (&detail["void"]["evidence"]["id"], &hospital, "invoice-void"),
    ] {
        let receipt = app.anchored_receipt(id.as_str().unwrap(), key).await;
        assert_eq!(receipt.evidence.kind.as_str(), kind);
        let document = Value::Object(receipt.evidence.metadata.clone().expect("disclosed"));
        assert_eq!(document["invoice"]["invoice_number"], "RCPT-1", "{kind} names its invoice");
        verify_cli(&app, &receipt, &canonical_json(&document));
    }
    // The void references the invoice's record.
    let void = app.anchored_receipt(detail["void"]["evidence"]["id"].as_str().unwrap(), &hospital).await;
    let voids = &void.evidence.metadata.as_ref().unwrap()["voids"];
    assert_eq!(voids["evidence"], issued["evidence"]["id"]);
    assert_eq!(voids["content_hash"], issued["content_hash"]);
}

#[tokio::test]
async fn a_hospital_signature_is_verified_recorded_and_shown_to_insurers() {
    use base64::Engine;
    use notarium::crypto::client_cert::parse_client_cert;
    use notarium::crypto::devpki::{KeyPair, TlsUsage, issue_tls};

    let app = TestApp::spawn().await;
    let pki = app.data.path().join("pki");
    let read = |f: &str| std::fs::read(pki.join(f)).unwrap();
    let ca = KeyPair {
        key: openssl::pkey::PKey::private_key_from_pem(&read("ca.key")).unwrap(),
        cert: openssl::x509::X509::from_pem(&read("ca.pem")).unwrap(),
    };
    let signing = issue_tls(&ca, "Demo Hospital invoice signing", TlsUsage::Client, 2).unwrap();
    let stranger = issue_tls(&ca, "Someone else", TlsUsage::Client, 2).unwrap();
    let store = app.store().await;
    let hospital_id =
        store.list_tenants().await.unwrap().into_iter().find(|t| t.role == TenantRole::Hospital).unwrap().id;
    let enrolled = parse_client_cert(&signing.cert.to_pem().unwrap()).unwrap();
    assert!(store.add_client_cert(&hospital_id, &enrolled).await.unwrap());

    let sign = |pair: &KeyPair, inv: &Value| {
        let der = notarium::crypto::cms::sign(&canonical_json(inv), &pair.key, &pair.cert, &[]).unwrap();
        base64::engine::general_purpose::STANDARD.encode(der)
    };
    let post = |inv: &Value, signature: String| {
        app.http
            .post(app.url("/v1/invoices"))
            .bearer_auth(app.key(TenantRole::Hospital))
            .header("Invoice-Signature", signature)
            .json(inv)
            .send()
    };
    let before = app.evidence_count().await;
    let inv = invoice("DEMO-HOSP", "SIG-1");
    let other = invoice("DEMO-HOSP", "SIG-2");
    for (what, signature) in [
        ("a signature over another invoice", sign(&signing, &other)),
        ("a certificate not enrolled for this hospital", sign(&stranger, &inv)),
        ("not base64", "%%%".to_owned()),
        ("not CMS", base64::engine::general_purpose::STANDARD.encode(b"not a signature")),
    ] {
        let res = post(&inv, signature).await.unwrap();
        assert_eq!(problem(res).await, (422, "invalid_signature".into()), "{what}");
    }
    assert_eq!(app.evidence_count().await, before, "nothing stored for a refused signature");

    let res = post(&inv, sign(&signing, &inv)).await.unwrap();
    assert_eq!(res.status(), 201);
    let issued: Value = res.json().await.unwrap();
    assert!(issued["signed_by"].as_str().unwrap().contains("Demo Hospital invoice signing"), "{issued}");
    let checked = check(&app, app.key(TenantRole::Insurer), &inv).await;
    assert_eq!(checked["signed_by"], issued["signed_by"]);
    // An unsigned invoice says so.
    issue(&app, &other).await;
    assert!(check(&app, app.key(TenantRole::Insurer), &other).await["signed_by"].is_null());
}
