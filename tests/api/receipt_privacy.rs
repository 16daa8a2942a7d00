//! Metadata that cannot be guessed (leaf v2): a receipt shared with `?disclose=none` carries
//! neither the metadata nor its `meta_salt`, and nothing in it (JSON or zip) lets anyone confirm
//! a guessed patient name; with `?disclose=all` the real `meta_salt` reproduces `meta_hash`.

use std::io::{Cursor, Read};
use std::time::Duration;

use notarium::domain::canonical::canonical_json;
use notarium::domain::{Hash, Receipt, TenantRole};
use serde_json::{Value, json};

use crate::evidence::assert_verifies_everywhere;
use crate::support::TestApp;

/// The body of `GET /v1/evidence/{id}/{route}?{query}` once anchored (polls with `?wait=`).
async fn anchored(app: &TestApp, id: &str, key: &str, route: &str, query: &str) -> Vec<u8> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let res = app.get(&format!("/v1/evidence/{id}/{route}?wait=5&{query}"), Some(key)).await;
        match res.status().as_u16() {
            200 => return res.bytes().await.unwrap().to_vec(),
            202 => assert!(tokio::time::Instant::now() < deadline, "not anchored within 30 s"),
            other => panic!("{route}: {other} {}", res.text().await.unwrap()),
        }
    }
}

/// Every run of exactly 64 hex digits in `text` (either case), as the 32 bytes it spells.
fn hex_values(text: &str) -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let len = bytes[start..].iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if len >= 64 {
            // Every 64-digit window of a longer run too.
            for at in start..=start + len - 64 {
                out.push(hex::decode(&text[at..at + 64]).unwrap().try_into().unwrap());
            }
        }
        start += len.max(1);
    }
    out
}

/// The entries of a zip, each as its bytes.
fn zip_entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

fn keyed(key: &[u8; 32], bytes: &[u8]) -> Hash {
    Hash(*blake3::keyed_hash(key, bytes).as_bytes())
}

#[actix_web::test]
async fn a_guess_of_undisclosed_metadata_cannot_be_confirmed_from_the_receipt_or_its_zip() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let metadata = json!({"patient": "secret", "title": "contract 42"});
    let content = b"contract 42, signed by the patient";
    let body = json!({"kind": "contract", "content_hash": Hash::of(content), "metadata": metadata});
    let id = app.register_json(&key, &body).await.id.to_string();
    let guess = canonical_json(&metadata);

    let hidden_json = anchored(&app, &id, &key, "receipt", "disclose=none").await;
    let hidden = Receipt::from_json(&hidden_json).unwrap();
    assert_eq!(hidden.format, "notarium-receipt/v2");
    let members: Value = serde_json::from_slice(&hidden_json).unwrap();
    for member in ["metadata", "meta_salt"] {
        assert!(members["evidence"].get(member).is_none(), "{member} left out: {members:#}");
    }
    let meta_hash = hidden.evidence.meta_hash;
    assert_ne!(Hash::of(&guess), meta_hash, "the unsalted hash of the guess");

    let zip = anchored(&app, &id, &key, "receipt.zip", "disclose=none").await;
    let entries = zip_entries(&zip);
    assert!(!entries.iter().any(|(name, _)| name == "metadata.json"));
    let mut candidates = hex_values(&String::from_utf8(hidden_json.clone()).unwrap());
    for (_, bytes) in &entries {
        candidates.extend(hex_values(&String::from_utf8_lossy(bytes)));
    }
    assert!(candidates.len() > 10, "the receipt's hashes and salts were found: {}", candidates.len());
    for candidate in &candidates {
        assert_ne!(keyed(candidate, &guess), meta_hash, "a 32-byte value of the receipt keys the guess");
    }

    // Disclosed, the real meta_salt reproduces it (and is none of the values above).
    let shown_json = anchored(&app, &id, &key, "receipt", "disclose=all").await;
    let shown = Receipt::from_json(&shown_json).unwrap();
    let meta_salt = shown.evidence.meta_salt.expect("disclosed with its meta_salt");
    assert_eq!(keyed(meta_salt.as_bytes(), &guess), meta_hash);
    assert!(!candidates.contains(meta_salt.as_bytes()));
    assert_ne!(meta_salt.as_bytes(), shown.evidence.salt.as_bytes());

    assert_verifies_everywhere(&app, &hidden, content).await;
    assert_verifies_everywhere(&app, &shown, content).await;
    // The record changed neither: the same leaf, whatever was disclosed.
    assert_eq!(hidden.leaf_hash, shown.leaf_hash);
    assert_eq!(hidden.leaf().text(), shown.leaf().text());
    assert!(shown.leaf().text().starts_with("notarium/leaf/v2\n"));
    app.stop().await;
}

#[actix_web::test]
async fn a_record_without_metadata_is_committed_with_its_meta_salt_too() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let content = b"hash only";
    let id = app.register_json(&key, &json!({"kind": "document", "content_hash": Hash::of(content)})).await.id;
    let receipt = Receipt::from_json(&anchored(&app, &id.to_string(), &key, "receipt", "").await).unwrap();
    let meta_salt = receipt.evidence.meta_salt.expect("meta_salt disclosed without metadata");
    assert!(receipt.evidence.metadata.is_none());
    assert_eq!(keyed(meta_salt.as_bytes(), b"{}"), receipt.evidence.meta_hash);
    assert_verifies_everywhere(&app, &receipt, content).await;
    app.stop().await;
}
