//! The payer never leaves the invoice body: not in a leaf, a block, a receipt, a public page or
//! a log line of the real binary at debug level; erasure removes the body and its record's salt
//! from every file under the data directory while issued receipts stay valid.

use std::path::Path;

use notarium::domain::Receipt;
use serde_json::{Value, json};

use crate::invoices::{content_hash, invoice};
use crate::support::process::notarium;
use crate::support::real_server::{RealServer, create_tenant};

const MASKED_ID: &str = "3301**********1234";
const TOKEN: &str = "PAYERTOKEN-q7Rk2mX9vB4nL8s";

/// Every file under `dir` (the database, its WAL, blobs, keys) that contains `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in walkdir(dir) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        if bytes.windows(needle.len()).any(|w| w == needle) {
            found.push(entry.display().to_string());
        }
    }
    found
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walkdir(&p)) } else { out.push(p) }
    }
    out
}

async fn anchored(http: &reqwest::Client, base: &str, id: &str, key: &str) -> (Value, Receipt) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let res = http.get(format!("{base}/v1/evidence/{id}/receipt?wait=5")).bearer_auth(key).send().await.unwrap();
        match res.status().as_u16() {
            200 => {
                let bytes = res.bytes().await.unwrap();
                return (serde_json::from_slice(&bytes).unwrap(), Receipt::from_json(&bytes).unwrap());
            }
            202 => assert!(tokio::time::Instant::now() < deadline, "not anchored within 30 s"),
            other => panic!("receipt: {other}"),
        }
    }
}

#[tokio::test]
async fn payer_fields_stay_in_the_body_and_erasure_removes_it_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let hospital = create_tenant(&data, "City Hospital", "hospital", Some("CITY-HOSP"));
    let insurer = create_tenant(&data, "Basic Medical Insurance", "insurer", None);
    let server = RealServer::start(dir.path(), &data).await;
    let (base, http) = (server.base.clone(), reqwest::Client::new());
    let inv = invoice("CITY-HOSP", "PRIV-1");
    assert_eq!((inv["payer"]["masked_id"].as_str(), inv["payer"]["token"].as_str()), (Some(MASKED_ID), Some(TOKEN)));
    let path = format!("{base}/v1/invoices/CITY-HOSP/330100-2026/PRIV-1");

    let res = http.post(format!("{base}/v1/invoices")).bearer_auth(&hospital).json(&inv).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let issued: Value = res.json().await.unwrap();
    let record_id = issued["evidence"]["id"].as_str().unwrap().to_owned();
    let (receipt_json, receipt) = anchored(&http, &base, &record_id, &hospital).await;
    let res = http.post(format!("{base}/v1/invoices/check")).bearer_auth(&insurer).json(&inv).send().await.unwrap();
    let checked: Value = res.json().await.unwrap();
    assert_eq!(checked["verdict"], "authentic");
    assert!(checked["content_erased"].is_null(), "not erased yet: null, not false: {checked}");
    assert_eq!(checked["receipt"], receipt_json, "the insurer gets the invoice record's receipt");
    let claim = json!({ "content_hash": content_hash(&inv), "amount": "10.00", "claim_reference": "P-1" });
    let res = http.post(format!("{path}/claims")).bearer_auth(&insurer).json(&claim).send().await.unwrap();
    assert_eq!(res.status(), 201);

    // What is public or shared: the leaf, the block, the receipt, the pages.
    let block: Value =
        http.get(format!("{base}/v1/blocks/{}", receipt.block.height)).send().await.unwrap().json().await.unwrap();
    let mut public = vec![receipt.leaf().text(), block.to_string(), receipt_json.to_string(), checked.to_string()];
    for page in [format!("/e/{record_id}"), "/blocks".into(), format!("/blocks/{}", receipt.block.height)] {
        let res = http.get(format!("{base}{page}")).send().await.unwrap();
        assert_eq!(res.status(), 200, "{page}");
        public.push(res.text().await.unwrap());
    }
    for text in &public {
        for payer in [MASKED_ID, TOKEN, "3301**"] {
            assert!(!text.contains(payer), "{payer} in {text}");
        }
    }

    // Erasure: the body and the salt go; the issued receipt still verifies.
    assert!(!files_containing(&data, TOKEN.as_bytes()).is_empty(), "the body is stored before erasure");
    let res = http.delete(format!("{path}/content")).bearer_auth(&hospital).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let erased: Value = res.json().await.unwrap();
    assert!(erased["content_erased"].is_string(), "{erased}");
    let detail: Value = http.get(&path).bearer_auth(&hospital).send().await.unwrap().json().await.unwrap();
    assert!(detail["body"].is_null() && detail["content_erased"].is_string(), "{detail}");
    // The hospital's view links no receipt route that would answer 410.
    assert_eq!(issued["evidence"]["receipt"], format!("/v1/evidence/{record_id}/receipt"));
    assert!(detail["evidence"]["receipt"].is_null(), "{detail}");
    assert!(erased["evidence"]["receipt"].is_null(), "{erased}");
    let res = http.get(format!("{base}/v1/evidence/{record_id}/receipt")).bearer_auth(&hospital).send().await.unwrap();
    assert_eq!(res.status(), 410, "no new receipt without the salt");
    let res = http.post(format!("{base}/v1/verify")).json(&receipt_json).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["valid"], true, "the receipt issued before stays valid");
    let res = http.post(format!("{base}/v1/invoices/check")).bearer_auth(&insurer).json(&inv).send().await.unwrap();
    let after: Value = res.json().await.unwrap();
    // One type for `content_erased` in every answer: the time (the hospital's), or null.
    assert_eq!(after["verdict"].as_str(), Some("authentic"));
    assert_eq!(after["content_erased"], erased["content_erased"], "the insurer sees the erasure's time");
    assert_eq!(detail["content_erased"], erased["content_erased"]);
    assert!(after["receipt"].is_null());
    let salt = receipt.evidence.salt.to_string();
    for needle in [TOKEN, MASKED_ID] {
        assert_eq!(files_containing(&data, needle.as_bytes()), Vec::<String>::new(), "{needle} after erasure");
    }
    assert_eq!(files_containing(&data, &receipt.evidence.salt.0), Vec::<String>::new(), "the salt after erasure");

    let (out, err) = server.stop().await;
    let log = String::from_utf8_lossy(&[out, err].concat()).into_owned();
    assert!(log.contains("\"message\":\"request\""), "the log has request lines");
    for secret in [MASKED_ID, TOKEN, "3301**", salt.as_str(), "A2026-0042", "Ward bed"] {
        assert!(!log.contains(secret), "the log contains {secret:?}");
    }
    // Nothing came back after the server stopped (the WAL is checkpointed on close).
    assert_eq!(files_containing(&data, TOKEN.as_bytes()), Vec::<String>::new());
    // The audit still passes: the erased record's stored leaf is checked against its root.
    let audit = notarium().arg("audit").arg("--data").arg(&data).output();
    let audit = audit.unwrap();
    assert_eq!(audit.status.code(), Some(0), "{}", String::from_utf8_lossy(&audit.stdout));
}
