//! Receipts for every invoice, claim, withdrawal and void, and the hospital's signature on an
//! invoice.

use notarium::domain::TenantRole;
use notarium::domain::canonical::canonical_json;
use serde_json::{Value, json};

use super::{check, claim, content_hash, invoice, issue, path};
use crate::support::process::notarium;
use crate::support::{Invoice, TestApp, expect, problem};

/// `notarium verify RECEIPT --trust ca.pem --file CONTENT` exits 0.
fn verify_cli(app: &TestApp, receipt: &notarium::domain::Receipt, content: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let (rpath, fpath) = (dir.path().join("receipt.json"), dir.path().join("content.json"));
    std::fs::write(&rpath, receipt.to_json_pretty()).unwrap();
    std::fs::write(&fpath, content).unwrap();
    let out = notarium()
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
    let receipt = app.anchored_receipt(issued.evidence.id, &hospital).await;
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
    assert_eq!(voids["evidence"], issued.evidence.id.to_string());
    assert_eq!(voids["content_hash"], issued.content_hash.to_string());
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
        key: openssl::pkey::PKey::private_key_from_pem(&read("hospital-ca.key")).unwrap(),
        cert: openssl::x509::X509::from_pem(&read("hospital-ca.pem")).unwrap(),
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
    let issued: Invoice = expect(res, 201).await;
    let signed_by = issued.signed_by.as_deref().expect("signed");
    assert!(signed_by.contains("Demo Hospital invoice signing"), "{issued:?}");
    let checked = check(&app, app.key(TenantRole::Insurer), &inv).await;
    assert_eq!(checked["signed_by"].as_str(), Some(signed_by));
    // An unsigned invoice says so.
    issue(&app, &other).await;
    assert!(check(&app, app.key(TenantRole::Insurer), &other).await["signed_by"].is_null());
}
