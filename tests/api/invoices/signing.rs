//! Who may sign a hospital's invoice: a certificate whose key usage allows signing, chained to
//! the hospital document-signing anchors (`pki/hospital-trust/`), never to the witnesses' CA.

use base64::Engine;
use notarium::crypto::client_cert::parse_client_cert;
use notarium::crypto::devpki::{KeyPair, issue_document_signer, issue_leaf};
use notarium::domain::TenantRole;
use notarium::domain::canonical::canonical_json;
use openssl::pkey::PKey;
use openssl::x509::X509;
use openssl::x509::extension::KeyUsage;
use serde_json::Value;

use super::invoice;
use crate::support::{Invoice, TestApp, expect, problem};

/// The key pair `name`.key / `name`.pem of the data directory's `pki/`.
fn pki_pair(app: &TestApp, name: &str) -> KeyPair {
    let read = |ext: &str| std::fs::read(app.data.path().join("pki").join(format!("{name}.{ext}"))).unwrap();
    KeyPair { key: PKey::private_key_from_pem(&read("key")).unwrap(), cert: X509::from_pem(&read("pem")).unwrap() }
}

/// `POST /v1/invoices` of `inv` as the demo hospital, signed by `pair`.
async fn post_signed(app: &TestApp, inv: &Value, pair: &KeyPair) -> reqwest::Response {
    let der = notarium::crypto::cms::sign(&canonical_json(inv), &pair.key, &pair.cert, &[]).unwrap();
    let signature = base64::engine::general_purpose::STANDARD.encode(der);
    let req = app.http.post(app.url("/v1/invoices")).bearer_auth(app.key(TenantRole::Hospital));
    req.header("Invoice-Signature", signature).json(inv).send().await.unwrap()
}

/// Enrols `pair`'s certificate for the demo hospital.
async fn enrol(app: &TestApp, pair: &KeyPair) {
    let store = app.store().await;
    let hospital = store.list_tenants().await.unwrap().into_iter().find(|t| t.role == TenantRole::Hospital).unwrap();
    let cert = parse_client_cert(&pair.cert.to_pem().unwrap()).unwrap();
    assert!(store.add_client_cert(&hospital.id, &cert).await.unwrap());
}

#[tokio::test]
async fn the_demo_hospital_signs_with_its_certificate_and_only_a_signing_certificate_of_a_hospital_ca_counts() {
    let app = TestApp::spawn().await;
    // The dev PKI's demo signer, enrolled for the demo hospital at the first start.
    let demo = pki_pair(&app, "demo-hospital-signing");
    let issued: Invoice = expect(post_signed(&app, &invoice("DEMO-HOSP", "S-1"), &demo).await, 201).await;
    assert!(issued.signed_by.as_deref().is_some_and(|s| s.contains("Demo Hospital invoice signing")), "{issued:?}");

    // A certificate of the witnesses' CA, enrolled and with a signing key usage: not a
    // hospital anchor.
    let witness_ca = pki_pair(&app, "ca");
    let by_witness_ca = issue_document_signer(&witness_ca, "Signed by the witness CA", 2).unwrap();
    enrol(&app, &by_witness_ca).await;
    let res = post_signed(&app, &invoice("DEMO-HOSP", "S-2"), &by_witness_ca).await;
    assert_eq!(problem(res).await, (422, "signer_untrusted".into()));

    // A certificate of the hospital CA whose key usage is only keyEncipherment and keyCertSign.
    let hospital_ca = pki_pair(&app, "hospital-ca");
    let usage = KeyUsage::new().critical().key_encipherment().key_cert_sign().build().unwrap();
    let enciphers = issue_leaf(&hospital_ca, "Enciphers only", 2, vec![usage]).unwrap();
    enrol(&app, &enciphers).await;
    let res = post_signed(&app, &invoice("DEMO-HOSP", "S-3"), &enciphers).await;
    let (status, body): (u16, Value) = (res.status().as_u16(), res.json().await.unwrap());
    assert_eq!((status, body["code"].as_str()), (422, Some("signer_key_usage")), "{body}");
    assert!(body["detail"].as_str().unwrap().contains("neither digitalSignature nor nonRepudiation"), "{body}");

    // Nothing refused was stored: S-2 and S-3 are still free.
    let inv = invoice("DEMO-HOSP", "S-2");
    let issued: Invoice = expect(post_signed(&app, &inv, &demo).await, 201).await;
    assert_eq!(issued.status, "issued");
    app.stop().await;
}
