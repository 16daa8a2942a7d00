//! Health, readiness, blocks and witnesses as an operator or a court sees them.

use notarium::domain::{BlockHeader, Hash, TenantRole};
use serde_json::Value;

use crate::support::{TestApp, metric};

#[actix_web::test]
async fn health_readiness_blocks_and_witnesses_report_the_truth() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz", None).await.status(), 200);
    let ev = app.register(b"something to seal").await;
    let receipt = app.anchored_receipt(ev.id, app.key(TenantRole::Merchant)).await;

    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!((ready["database_writable"].clone(), ready["sealer_running"].clone()), (true.into(), true.into()));
    assert!(ready["fork"].is_null());

    // The public block matches what the receipt was co-signed over.
    let block = app.block(receipt.block.height).await;
    assert_eq!(block.header, receipt.block.header);
    assert_eq!(block.block_hash, Hash::of(block.header.as_bytes()));
    assert_eq!(BlockHeader::parse(&block.header).unwrap().height, receipt.block.height);
    let signers: Vec<&str> = block.cosignatures.iter().map(|c| c.witness.as_str()).collect();
    assert_eq!(signers, ["court", "notary"]);
    assert!(block.anchored.is_some());
    assert!(app.block("latest").await.height >= receipt.block.height);
    assert_eq!(app.get("/v1/blocks/999999", None).await.status(), 404);
    assert_eq!(app.get("/v1/blocks/abc", None).await.status(), 404);

    for w in app.witnesses().await.witnesses {
        assert_eq!(w.reachable, Some(true), "{w:?}");
        assert!(w.last_height.unwrap() >= receipt.block.height);
    }
    // The metrics saw both witnesses co-sign, and no fork.
    let res = app.get("/metrics", Some(app.key(TenantRole::Admin))).await;
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let text = res.text().await.unwrap();
    for w in ["court", "notary"] {
        let count = metric(&text, &format!("notarium_witness_cosign_seconds_count{{witness=\"{w}\"}}"));
        assert!(count.is_some_and(|n| n >= 1.0), "{w}: {text}");
        assert_eq!(metric(&text, &format!("notarium_witness_reachable{{witness=\"{w}\"}}")), Some(1.0), "{text}");
    }
    assert_eq!(metric(&text, "notarium_fork_detected"), Some(0.0), "{text}");
    // Public routes never show the owner's content hash, salt or metadata.
    let text = app.get("/v1/blocks/latest", None).await.text().await.unwrap();
    assert!(!text.contains(&receipt.evidence.content_hash.to_string()));
    assert!(!text.contains(&receipt.evidence.salt.to_string()));
    app.stop().await;
}

#[actix_web::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/v1/nowhere"] {
        let res = app.get(path, None).await;
        let id = res.headers().get("x-request-id").expect("a request id").to_str().unwrap().to_owned();
        assert_eq!(id.len(), 32, "{path}");
    }
    app.stop().await;
}
