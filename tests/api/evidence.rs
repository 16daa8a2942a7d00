//! Registration → anchored receipt → verification, three ways in; listing, lookup, owners.

use std::process::Command;

use notarium::crypto::{OpensslChecker, TrustStore};
use notarium::domain::verify::{QuorumPolicy, VerifyInput, verify};
use notarium::domain::{Hash, Receipt, TenantRole};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Verifies like a court: the library, the `notarium verify` binary (with and without the
/// file) and `POST /v1/verify` must all say valid.
async fn assert_verifies_everywhere(app: &TestApp, receipt: &Receipt, content: &[u8]) {
    let trust = TrustStore::from_dir(&app.trust_dir()).unwrap();
    let input = VerifyInput { file_hash: Some(Hash::of(content)), online_header: None };
    let report = verify(receipt, &input, &OpensslChecker { trust: &trust }, &QuorumPolicy::default());
    assert!(report.valid, "{report:#?}");

    let dir = tempfile::tempdir().unwrap();
    let (rpath, fpath) = (dir.path().join("receipt.json"), dir.path().join("original"));
    std::fs::write(&rpath, receipt.to_json_pretty()).unwrap();
    std::fs::write(&fpath, content).unwrap();
    let ca = app.trust_dir().join("ca.pem");
    for with_file in [true, false] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_notarium"));
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
    assert_eq!(ev["status"], "pending");
    assert_eq!(ev["content_hash"], Hash::of(content).to_string());
    let id = ev["id"].as_str().unwrap();
    let receipt = app.anchored_receipt(id, app.key(TenantRole::Merchant)).await;
    assert_eq!(receipt.evidence.id.to_string(), id);
    assert_eq!(receipt.cosignatures.len(), 2);
    assert!(receipt.evidence.metadata.is_some());
    assert_verifies_everywhere(&app, &receipt, content).await;

    let got: Value =
        app.get(&format!("/v1/evidence/{id}"), Some(app.key(TenantRole::Merchant))).await.json().await.unwrap();
    assert_eq!(got["status"], "anchored");
    assert_eq!(got["block"], receipt.block.height);

    // Without disclosure the metadata is left out and the receipt still verifies.
    let res = app.get(&format!("/v1/evidence/{id}/receipt?disclose=none"), Some(app.key(TenantRole::Merchant))).await;
    let undisclosed = Receipt::from_json(&res.bytes().await.unwrap()).unwrap();
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
    assert_eq!(res.status(), 201);
    let ev: Value = res.json().await.unwrap();
    assert_eq!(ev["content_hash"], Hash::of(&content).to_string());
    assert_eq!(ev["kind"], "contract");
    let sha = hex::encode(openssl::sha::sha256(&content));
    assert_eq!(ev["metadata"]["file"], json!({"name": "scan.pdf", "size": content.len(), "sha256": sha}));
    assert_eq!(ev["metadata"]["title"], "Lease");

    let tenant = std::fs::read_dir(app.data.path().join("blobs")).unwrap().next().unwrap().unwrap().path();
    assert_eq!(std::fs::read(tenant.join(Hash::of(&content).to_string())).unwrap(), content);

    let receipt = app.anchored_receipt(ev["id"].as_str().unwrap(), app.key(TenantRole::Merchant)).await;
    assert_verifies_everywhere(&app, &receipt, &content).await;
    app.stop().await;
}

#[actix_web::test]
async fn a_batch_is_registered_whole_and_each_item_verifies() {
    let app = TestApp::spawn().await;
    let contents: Vec<Vec<u8>> = (0..25).map(|i| format!("photo {i}").into_bytes()).collect();
    let items: Vec<Value> = contents.iter().map(|c| json!({"kind": "image", "content_hash": Hash::of(c)})).collect();
    let res =
        app.post_json("/v1/evidence/batch", Some(app.key(TenantRole::Merchant)), &json!({ "items": items })).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let created = body["items"].as_array().unwrap();
    assert_eq!(created.len(), 25);
    for i in [0, 13, 24] {
        let receipt = app.anchored_receipt(created[i]["id"].as_str().unwrap(), app.key(TenantRole::Merchant)).await;
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
        ids.push(app.register(format!("item {i}").as_bytes()).await["id"].as_str().unwrap().to_owned());
    }
    let page: Value = app.get("/v1/evidence?limit=3", Some(&merchant)).await.json().await.unwrap();
    let first: Vec<&str> = page["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(first, vec![ids[4].as_str(), &ids[3], &ids[2]], "newest first");
    let cursor = page["next_cursor"].as_str().unwrap();
    let page: Value =
        app.get(&format!("/v1/evidence?limit=3&cursor={cursor}"), Some(&merchant)).await.json().await.unwrap();
    let rest: Vec<&str> = page["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(rest, vec![ids[1].as_str(), &ids[0]]);
    assert!(page["next_cursor"].is_null());

    let hash = Hash::of(b"item 2");
    let found: Value = app
        .post_json("/v1/evidence/lookup", Some(&merchant), &json!({"content_hash": hash}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"][0]["id"], ids[2].as_str());
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    // Two hashes with the same first 8 bytes (the index's key) are still told apart.
    let (twin_a, twin_b) =
        (format!("{}{}", "ab".repeat(8), "01".repeat(24)), format!("{}{}", "ab".repeat(8), "02".repeat(24)));
    for twin in [&twin_a, &twin_b] {
        let res =
            app.post_json("/v1/evidence", Some(&merchant), &json!({"kind": "document", "content_hash": twin})).await;
        assert_eq!(res.status(), 201);
    }
    let found: Value = app
        .post_json("/v1/evidence/lookup", Some(&merchant), &json!({"content_hash": twin_b}))
        .await
        .json()
        .await
        .unwrap();
    let hashes: Vec<&str> =
        found["items"].as_array().unwrap().iter().map(|e| e["content_hash"].as_str().unwrap()).collect();
    assert_eq!(hashes, [twin_b.as_str()]);
    let hospital = app.key(TenantRole::Hospital);
    let other: Value = app
        .post_json("/v1/evidence/lookup", Some(hospital), &json!({"content_hash": hash}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other["items"], json!([]));
    let listed: Value = app.get("/v1/evidence", Some(hospital)).await.json().await.unwrap();
    assert_eq!(listed["items"], json!([]));
    app.stop().await;
}

/// A record without metadata stores its meta hash as an empty blob (32 bytes less per
/// hash-only record) and reads back with the hash of `{}`; a record with metadata keeps all 32.
#[actix_web::test]
async fn a_hash_only_record_stores_no_meta_hash_bytes() {
    use notarium::domain::canonical::meta_hash;
    use sqlx::Connection;
    let app = TestApp::spawn().await;
    let merchant = app.key(TenantRole::Merchant).to_owned();
    let bare = json!({"kind": "document", "content_hash": Hash::of(b"bare")});
    let bare: Value = app.post_json("/v1/evidence", Some(&merchant), &bare).await.json().await.unwrap();
    let titled: Value = app.register(b"titled").await;
    assert_eq!(bare["meta_hash"], meta_hash(None).to_string());

    let url = format!("sqlite://{}", app.data.path().join("notarium.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let lengths: Vec<i64> =
        sqlx::query_scalar("SELECT length(meta_hash) FROM evidence ORDER BY seq").fetch_all(&mut db).await.unwrap();
    assert_eq!(lengths, vec![0, 32]);
    for ev in [&bare, &titled] {
        let got: Value = app
            .get(&format!("/v1/evidence/{}", ev["id"].as_str().unwrap()), Some(&merchant))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(got["meta_hash"], ev["meta_hash"]);
    }
    let receipt = app.anchored_receipt(bare["id"].as_str().unwrap(), &merchant).await;
    assert_verifies_everywhere(&app, &receipt, b"bare").await;
    app.stop().await;
}
