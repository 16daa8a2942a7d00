//! Witnesses that go away, lose their state or run a wrong clock: sealing goes on, nothing
//! anchors without them, and they catch up (or refuse, saying why).

use std::time::Duration;

use notarium::domain::{BlockHeader, Role};

use super::{Cluster, start_witness, verify_with_binary_and_openssl};
use crate::support::process::notarium;
use crate::support::programs::libfaketime;
use crate::support::wait_until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_notary_returns_and_its_backlog_anchors_in_order() {
    let mut cluster = Cluster::start().await;
    let first = cluster.register(b"before").await;
    cluster.anchored_receipt(&first, Duration::from_secs(30)).await;
    let store = cluster.store().await;
    let before = store.latest_block().await.unwrap().unwrap().height;

    drop(cluster.notary.take()); // SIGKILL
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(cluster.register(format!("during {i}").as_bytes()).await);
        // Spread over a second, so that the backlog spans several blocks (seals every 100 ms).
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Sealing goes on without the notary; receipts answer 202. Heartbeats follow (max_skew/2).
    wait_until(Duration::from_secs(30), async || {
        let blocks = store.blocks_from(before + 1, 10_000).await.unwrap();
        blocks.iter().any(|b| b.leaf_count == 0).then_some(()).ok_or("no heartbeat block while the notary was down")
    })
    .await;
    assert!(store.latest_block().await.unwrap().unwrap().height > before);
    assert_eq!(cluster.receipt_status(&ids[0]).await, 202);
    let notary = cluster.witness("notary").await;
    assert!(notary.lag_blocks > 0, "{notary:?}");
    assert!(notary.lag_seconds > 0.0, "{notary:?}");
    assert_eq!(notary.reachable, Some(false), "{notary:?}");

    let addr = cluster.witness_addrs[1].clone();
    let (notary, _) = start_witness(&cluster.dir(Role::Notary), Some(&addr)).await;
    cluster.notary = Some(notary);
    for id in &ids {
        cluster.anchored_receipt(id, Duration::from_secs(30)).await;
    }
    // Nothing signed twice at one height: per block, one co-signature per witness, over the
    // block's own header.
    let top = store.oldest_unanchored().await.unwrap().unwrap_or(u64::MAX);
    for b in store.blocks_from(0, 10_000).await.unwrap().into_iter().filter(|b| b.height < top) {
        let cosigs = store.cosignatures(b.height).await.unwrap();
        let names: Vec<&str> = cosigs.iter().map(|c| c.witness.as_str()).collect();
        assert_eq!(names, ["court", "notary"], "block {}", b.height);
        for c in cosigs {
            let facts = notarium::crypto::cms::inspect(&c.cms).unwrap();
            let signer = openssl::x509::X509::from_der(&facts.signer_cert).unwrap();
            notarium::crypto::cms::verify_signature(&c.cms, b.header.as_bytes(), &signer).unwrap();
        }
        assert_eq!(BlockHeader::parse(&b.header).unwrap().block_hash(), b.block_hash);
    }
    drop(cluster.court.take());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_that_lost_its_state_is_refused_until_enrolled() {
    let mut cluster = Cluster::start().await;
    let first = cluster.register(b"before the loss").await;
    cluster.anchored_receipt(&first, Duration::from_secs(30)).await;

    drop(cluster.notary.take());
    let notary_dir = cluster.dir(Role::Notary);
    std::fs::remove_dir_all(notary_dir.join("state")).unwrap();
    let addr = cluster.witness_addrs[1].clone();
    let (notary, _) = start_witness(&notary_dir, Some(&addr)).await;
    cluster.notary = Some(notary);

    let second = cluster.register(b"after the loss").await;
    cluster.await_refusal("notary", "gap").await;
    assert_eq!(cluster.receipt_status(&second).await, 202, "not anchored with a witness that forgot its state");

    // The operator re-enrols it at the last block it co-signed, and it co-signs again.
    drop(cluster.notary.take());
    let store = cluster.store().await;
    let height = store.last_cosigned(&"notary".parse().unwrap()).await.unwrap().unwrap();
    let hash = store.block(height).await.unwrap().unwrap().block_hash;
    let config = notary_dir.join("witness.toml");
    let out = notarium()
        .args([
            "witness",
            "enrol",
            "--config",
            config.to_str().unwrap(),
            "--height",
            &height.to_string(),
            "--block-hash",
            &hash.to_string(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (notary, _) = start_witness(&notary_dir, Some(&addr)).await;
    cluster.notary = Some(notary);
    let receipt = cluster.anchored_receipt(&second, Duration::from_secs(30)).await;
    verify_with_binary_and_openssl(cluster.root.path(), &receipt, b"after the loss");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_whose_clock_is_ten_minutes_ahead_refuses_and_says_why() {
    // libfaketime preloaded into the witness binary itself (the faketime wrapper forks, and
    // killing it would orphan the witness).
    let Some(lib) = libfaketime() else { return };
    let cluster = Cluster::start_with(&[("LD_PRELOAD", lib), ("FAKETIME", "+10m")], false).await;
    let id = cluster.register(b"sealed now, ten minutes ago for the notary").await;
    cluster.await_refusal("notary", "clock_skew").await;
    assert_eq!(cluster.receipt_status(&id).await, 202, "nothing anchors without the notary");
}
