//! A single-node deployment with something in every table a migration copies, made through the
//! HTTP API of the in-process service and then stopped: records (hash-only with an
//! idempotency key, an uploaded file, a batch), invoices with a check, a claim, a withdrawal and
//! a void, a registered image, all anchored; a page session, a client certificate, a disabled
//! tenant with a revoked key, and the scheduled audit's cursor.

use std::io::Cursor;
use std::time::Duration;

use notarium::crypto::client_cert::parse_client_cert;
use notarium::domain::canonical::canonical_json;
use notarium::domain::{EvidenceId, Hash, Receipt, TenantRole};
use notarium::store::hash_api_key;
use serde_json::{Value, json};

use crate::support::{Claim, Evidence, Invoice, Items, TestApp, expect, wait_until};

/// The stopped deployment and what a migration must keep.
pub struct Source {
    pub data: tempfile::TempDir,
    /// Every record made, with its anchored receipt.
    pub receipts: Vec<Receipt>,
    /// The uploaded file's bytes and its record.
    pub upload: (Vec<u8>, EvidenceId),
    /// The demo merchant's key.
    pub merchant: String,
}

/// A deployment with `batch` more hash-only records in one batch.
pub async fn deployment(batch: usize) -> Source {
    // The scheduled audit every second, so that it leaves its cursor.
    let app = TestApp::spawn_with(|s| s.audit_cron = "* * * * * *".into()).await;
    let (merchant, hospital, insurer): (String, String, String) =
        [TenantRole::Merchant, TenantRole::Hospital, TenantRole::Insurer].map(|r| app.key(r).to_owned()).into();
    let mut made: Vec<(EvidenceId, String)> = Vec::new();

    for i in 0..3 {
        let body = json!({ "kind": "document", "content_hash": Hash::of(format!("doc {i}").as_bytes()),
                           "metadata": { "title": format!("Dossier n° {i} — ü") } });
        let req = app.http.post(app.url("/v1/evidence")).bearer_auth(&merchant).json(&body);
        let ev: Evidence = expect(req.header("Idempotency-Key", format!("k-{i}")).send().await.unwrap(), 201).await;
        made.push((ev.id, merchant.clone()));
    }

    let content: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(content.clone()).file_name("scan.pdf"))
        .text("kind", "contract")
        .text("metadata", r#"{"title":"Lease"}"#);
    let req = app.http.post(app.url("/v1/evidence")).bearer_auth(&merchant).multipart(form);
    let upload: Evidence = expect(req.send().await.unwrap(), 201).await;
    made.push((upload.id, merchant.clone()));

    if batch > 0 {
        let items: Vec<Value> = (0..batch)
            .map(|i| json!({ "kind": "document", "content_hash": Hash::of(format!("item {i}").as_bytes()) }))
            .collect();
        let items: Items = app.register_batch(&merchant, &items).await;
        made.extend(items.items.iter().map(|e| (e.id, merchant.clone())));
    }

    let image = image_form(picture());
    let req = app.http.post(app.url("/v1/images")).bearer_auth(&merchant).multipart(image);
    let registered: Evidence = expect(req.send().await.unwrap(), 201).await;
    made.push((registered.id, merchant.clone()));

    // Invoice 1: checked, claimed and the claim withdrawn. Invoice 2: voided.
    let first = invoice("M-1");
    let issued: Invoice = expect(app.post_json("/v1/invoices", Some(&hospital), &first).await, 201).await;
    made.push((issued.evidence.id, hospital.clone()));
    let checked = app.post_json("/v1/invoices/check", Some(&insurer), &first).await;
    assert_eq!(checked.status(), 200);
    let hash = Hash::of(&canonical_json(&first)).to_string();
    let body = json!({ "content_hash": hash, "amount": "60.00", "claim_reference": "A-1" });
    let claim: Claim =
        expect(app.post_json(&format!("{}/claims", path("M-1")), Some(&insurer), &body).await, 201).await;
    made.push((claim.id, insurer.clone()));
    let withdraw = format!("{}/claims/{}/withdraw", path("M-1"), claim.id);
    let withdrawn: Claim = expect(app.post_json(&withdraw, Some(&insurer), &json!({})).await, 201).await;
    made.push((withdrawn.withdrawal.expect("the withdrawal record").id, insurer.clone()));
    let second: Invoice = expect(app.post_json("/v1/invoices", Some(&hospital), &invoice("M-2")).await, 201).await;
    made.push((second.evidence.id, hospital.clone()));
    let void = json!({ "reason": "issued in error" });
    assert_eq!(app.post_json(&format!("{}/void", path("M-2")), Some(&hospital), &void).await.status(), 201);

    let mut receipts = Vec::new();
    for (id, key) in &made {
        receipts.push(app.anchored_receipt(id, key).await);
    }
    accounts(&app, &merchant).await;
    let data = app.stop().await;
    Source { data, receipts, upload: (content, upload.id), merchant }
}

/// A page session, a client certificate, a disabled tenant whose key is revoked; then waits
/// for the scheduled audit's cursor.
async fn accounts(app: &TestApp, merchant: &str) {
    let store = app.store().await;
    store.open_session(merchant, Duration::from_secs(3600)).await.unwrap().expect("a session");
    let owner = store.tenant_by_key_hash(&hash_api_key(merchant)).await.unwrap().expect("the merchant");
    let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/certs/merchant.pem")).unwrap();
    assert!(store.add_client_cert(&owner.id, &parse_client_cert(&pem).unwrap()).await.unwrap());
    let (closed, _) = store.create_tenant("Closed shop", TenantRole::Merchant, None).await.unwrap();
    store.revoke_api_keys(&closed.id).await.unwrap();
    assert!(store.set_tenant_disabled(&closed.id, true).await.unwrap());
    wait_until(Duration::from_secs(30), async || match store.audit_cursor().await.unwrap() {
        Some(_) => Ok(()),
        None => Err("no audit cursor yet"),
    })
    .await;
    store.close().await;
}

/// `POST /v1/invoices/.../{number}` of the demo hospital.
fn path(number: &str) -> String {
    format!("/v1/invoices/DEMO-HOSP/330100-2026/{number}")
}

/// A valid invoice of 200.00 with 100.00 reimbursable.
fn invoice(number: &str) -> Value {
    json!({
        "issuer": "DEMO-HOSP", "invoice_code": "330100-2026", "invoice_number": number,
        "issue_date": "2026-11-21", "currency": "CNY",
        "payer": { "masked_id": "3301**********1234", "token": "PAYERTOKEN-q7Rk2mX9vB4nL8s" },
        "encounter": { "type": "inpatient", "number": "A2026-0042", "start_date": "2026-11-18", "end_date": "2026-11-21" },
        "lines": [
            { "category": "bed", "description": "Ward bed, 3 nights", "quantity": "3", "unit_price": "40.00", "amount": "120.00" },
            { "category": "medicine", "description": "Amoxicillin 0.25 g x 24", "quantity": "2", "unit_price": "40.00", "amount": "80.00" }
        ],
        "total": "200.00", "paid_by_fund": "100.00", "paid_by_personal_account": "0.00",
        "self_pay": "100.00", "reimbursable": "100.00"
    })
}

/// A JPEG with enough structure to be fingerprinted.
fn picture() -> Vec<u8> {
    let img = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, (((x / 20) ^ (y / 20)) * 40 % 256) as u8])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg).unwrap();
    bytes
}

fn image_form(bytes: Vec<u8>) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name("dress.jpg"))
        .text("title", "Dress")
        .text("public", "true")
}
