//! Registration → anchored receipt → verification, three ways in; listing, lookup, owners.

use notarium::crypto::{OpensslChecker, TrustStore};
use notarium::domain::verify::{QuorumPolicy, VerifyInput, verify};
use notarium::domain::{EvidenceKind, Hash, Receipt, TenantRole};
use serde_json::{Value, json};

use crate::support::process::notarium;
use crate::support::{Evidence, ReceiptResponse, Status, TestApp, expect};

/// Verifies like a court: the library, the `notarium verify` binary (with and without the
/// file) and `POST /v1/verify` must all say valid.
pub(crate) async fn assert_verifies_everywhere(app: &TestApp, receipt: &Receipt, content: &[u8]) {
    let trust = TrustStore::from_dir(&app.trust_dir()).unwrap();
    let input = VerifyInput { file_hash: Some(Hash::of(content)), online_header: None, ..Default::default() };
    let report = verify(receipt, &input, &OpensslChecker { trust: &trust }, &QuorumPolicy::default());
    assert!(report.valid, "{report:#?}");

    let dir = tempfile::tempdir().unwrap();
    let (rpath, fpath) = (dir.path().join("receipt.json"), dir.path().join("original"));
    std::fs::write(&rpath, receipt.to_json_pretty()).unwrap();
    std::fs::write(&fpath, content).unwrap();
    let ca = app.trust_dir().join("ca.pem");
    for with_file in [true, false] {
        let mut cmd = notarium();
        cmd.arg("verify").arg(&rpath).arg("--trust").arg(&ca);
        if with_file {
            cmd.arg("--file").arg(&fpath);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    }

    let res = app.post_json("/v1/verify", None, &serde_json::to_value(receipt).unwrap()).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["valid"], true, "{body:#}");
    let form = reqwest::multipart::Form::new()
        .part("receipt", reqwest::multipart::Part::bytes(receipt.to_json_pretty().into_bytes()))
        .part("file", reqwest::multipart::Part::bytes(content.to_vec()));
    let res = app.http.post(app.url("/v1/verify")).multipart(form).send().await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["valid"], true);
    assert!(body["checks"].as_array().unwrap().iter().any(|c| c["name"] == "content_hash" && c["ok"] == true));
}

#[actix_web::test]
async fn a_hash_only_registration_is_anchored_and_verifies() {
    let app = TestApp::spawn().await;
    let content = b"a contract signed on 2026-11-20";
    let ev = app.register(content).await;
    assert_eq!(ev.status, Status::Pending);
    assert_eq!(ev.content_hash, Hash::of(content));
    let id = ev.id;
    let receipt = app.anchored_receipt(id, app.key(TenantRole::Merchant)).await;
    assert_eq!(receipt.evidence.id, id);
    assert_eq!(receipt.cosignatures.len(), 2);
    assert!(receipt.evidence.metadata.is_some());
    assert_verifies_everywhere(&app, &receipt, content).await;

    let got = app.evidence(id, app.key(TenantRole::Merchant)).await;
    assert_eq!(got.status, Status::Anchored);
    assert_eq!(got.block, Some(receipt.block.height));

    // Without disclosure the metadata is left out and the receipt still verifies.
    let ReceiptResponse::Anchored(undisclosed) = app.receipt(id, app.key(TenantRole::Merchant), "?disclose=none").await
    else {
        panic!("anchored, yet no receipt")
    };
    assert!(undisclosed.evidence.metadata.is_none());
    assert_verifies_everywhere(&app, &undisclosed, content).await;
    app.stop().await;
}

#[actix_web::test]
async fn an_upload_is_hashed_kept_for_its_owner_and_verifies() {
    let app = TestApp::spawn().await;
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(content.clone()).file_name("scan.pdf"))
        .text("kind", "contract")
        .text("metadata", r#"{"title":"Lease"}"#);
    let res = app
        .http
        .post(app.url("/v1/evidence"))
        .bearer_auth(app.key(TenantRole::Merchant))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let ev: Evidence = expect(res, 201).await;
    assert_eq!(ev.content_hash, Hash::of(&content));
    assert_eq!(ev.kind, EvidenceKind::Contract);
    let sha = hex::encode(openssl::sha::sha256(&content));
    let metadata = ev.metadata.as_ref().expect("metadata");
    assert_eq!(metadata["file"], json!({"name": "scan.pdf", "size": content.len(), "sha256": sha}));
    assert_eq!(metadata["title"], "Lease");

    let tenant = std::fs::read_dir(app.data.path().join("blobs")).unwrap().next().unwrap().unwrap().path();
    assert_eq!(std::fs::read(tenant.join(Hash::of(&content).to_string())).unwrap(), content);

    let receipt = app.anchored_receipt(ev.id, app.key(TenantRole::Merchant)).await;
    assert_verifies_everywhere(&app, &receipt, &content).await;
    app.stop().await;
}

#[actix_web::test]
async fn a_batch_is_registered_whole_and_each_item_verifies() {
    let app = TestApp::spawn().await;
    let contents: Vec<Vec<u8>> = (0..25).map(|i| format!("photo {i}").into_bytes()).collect();
    let items: Vec<Value> = contents.iter().map(|c| json!({"kind": "image", "content_hash": Hash::of(c)})).collect();
    let created = app.register_batch(app.key(TenantRole::Merchant), &items).await.items;
    assert_eq!(created.len(), 25);
    for i in [0, 13, 24] {
        let receipt = app.anchored_receipt(created[i].id, app.key(TenantRole::Merchant)).await;
        assert_verifies_everywhere(&app, &receipt, &contents[i]).await;
    }
    app.stop().await;
}

#[actix_web::test]
async fn owners_list_and_look_up_only_their_own_records() {
    let app = TestApp::spawn().await;
    let merchant = app.key(TenantRole::Merchant).to_owned();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.register(format!("item {i}").as_bytes()).await.id);
    }
    let page = app.list("limit=3", &merchant).await;
    assert_eq!(page.ids(), vec![ids[4], ids[3], ids[2]], "newest first");
    let cursor = page.next_cursor.expect("a next page");
    let page = app.list(&format!("limit=3&cursor={cursor}"), &merchant).await;
    assert_eq!(page.ids(), vec![ids[1], ids[0]]);
    assert!(page.next_cursor.is_none());

    let hash = Hash::of(b"item 2");
    let found = app.lookup(&hash.to_string(), &merchant).await.items;
    assert_eq!(found[0].id, ids[2]);
    assert_eq!(found.len(), 1);
    // Two hashes with the same first 8 bytes (the index's key) are still told apart.
    let (twin_a, twin_b) =
        (format!("{}{}", "ab".repeat(8), "01".repeat(24)), format!("{}{}", "ab".repeat(8), "02".repeat(24)));
    for twin in [&twin_a, &twin_b] {
        let res =
            app.post_json("/v1/evidence", Some(&merchant), &json!({"kind": "document", "content_hash": twin})).await;
        assert_eq!(res.status(), 201);
    }
    let found = app.lookup(&twin_b, &merchant).await.items;
    let hashes: Vec<String> = found.iter().map(|e| e.content_hash.to_string()).collect();
    assert_eq!(hashes, [twin_b.as_str()]);
    let hospital = app.key(TenantRole::Hospital);
    assert!(app.lookup(&hash.to_string(), hospital).await.items.is_empty());
    assert!(app.list("", hospital).await.items.is_empty());
    app.stop().await;
}

/// A record without metadata commits to `{}` keyed with its own meta_salt (leaf v2): all 32
/// bytes are stored, as for a record with metadata. (Only the unsalted hash of `{}` of a record
/// registered before leaf v2 was stored as an empty blob; it still reads back.)
#[actix_web::test]
async fn a_hash_only_record_stores_its_keyed_meta_hash() {
    use notarium::domain::canonical::meta_hash;
    let app = TestApp::spawn().await;
    let merchant = app.key(TenantRole::Merchant).to_owned();
    let bare = json!({"kind": "document", "content_hash": Hash::of(b"bare")});
    let bare = app.register_json(&merchant, &bare).await;
    let titled = app.register(b"titled").await;
    assert_ne!(bare.meta_hash, meta_hash(None));

    let sql = "SELECT CAST(length(meta_hash) AS BIGINT) FROM evidence ORDER BY seq";
    assert_eq!(app.db().await.integers(sql).await, vec![32, 32]);
    let sql = "SELECT CAST(length(meta_salt) AS BIGINT) FROM evidence ORDER BY seq";
    assert_eq!(app.db().await.integers(sql).await, vec![32, 32]);
    for ev in [&bare, &titled] {
        assert_eq!(app.evidence(ev.id, &merchant).await.meta_hash, ev.meta_hash);
    }
    let receipt = app.anchored_receipt(bare.id, &merchant).await;
    assert_verifies_everywhere(&app, &receipt, b"bare").await;
    app.stop().await;
}
