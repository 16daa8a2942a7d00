//! A witness that is down never stops sealing; when it returns, the backlog (here more than
//! 50 blocks) is co-signed in order and every block gets anchored.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use notarium::crypto::devpki::write_dev_pki;
use notarium::domain::{Role, TenantRole};

use crate::helpers::{TestApp, external_witnesses, start_witness};

#[actix_web::test]
async fn a_backlog_of_over_50_blocks_is_cosigned_in_order_when_a_witness_returns() {
    let witness_dir = tempfile::tempdir().unwrap();
    let pki_dir = witness_dir.path().join("pki");
    write_dev_pki(&pki_dir).unwrap();
    let addrs: Vec<SocketAddr> =
        (0..2).map(|_| TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()).collect();
    let court = start_witness(Role::Court, &pki_dir, &witness_dir.path().join("court"), addrs[0]).await;
    let _notary = start_witness(Role::Notary, &pki_dir, &witness_dir.path().join("notary"), addrs[1]).await;

    let app = TestApp::spawn_with(|s| {
        // The app's data directory gets the same dev PKI, so its trust anchor is the witnesses' CA.
        let data_pki = s.data.join("pki");
        std::fs::create_dir_all(data_pki.join("trust")).unwrap();
        for f in ["ca.pem", "ca.key", "court.pem", "court.key", "notary.pem", "notary.key"] {
            std::fs::copy(pki_dir.join(f), data_pki.join(f)).unwrap();
        }
        std::fs::copy(pki_dir.join("ca.pem"), data_pki.join("trust/ca.pem")).unwrap();
        s.seal_interval_ms = 20;
        s.witness_timeout_ms = 500;
        s.witnesses = external_witnesses(&addrs);
    })
    .await;
    let first = app.register(b"before the outage").await;
    app.anchored_receipt(first["id"].as_str().unwrap(), app.key(TenantRole::Merchant)).await;

    court.stop(true).await;
    let store = app.store().await;
    let mut ids = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while store.latest_block().await.unwrap().map_or(0, |b| b.height) < 55 {
        assert!(tokio::time::Instant::now() < deadline, "sealing stalled while a witness was down");
        ids.push(
            app.register(format!("during the outage {}", ids.len()).as_bytes()).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let backlog_top = store.latest_block().await.unwrap().unwrap().height;
    assert!(store.oldest_unanchored().await.unwrap().is_some(), "nothing anchors without the court");

    let _court = start_witness(Role::Court, &pki_dir, &witness_dir.path().join("court"), addrs[0]).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while store.oldest_unanchored().await.unwrap().is_some_and(|h| h <= backlog_top) {
        assert!(tokio::time::Instant::now() < deadline, "the backlog was not co-signed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for height in 0..=backlog_top {
        let signers: Vec<String> =
            store.cosignatures(height).await.unwrap().into_iter().map(|c| c.witness.to_string()).collect();
        assert_eq!(signers, ["court", "notary"], "block {height}");
    }
    for id in [&ids[0], &ids[ids.len() / 2], ids.last().unwrap()] {
        app.anchored_receipt(id, app.key(TenantRole::Merchant)).await;
    }
    app.stop().await;
}
