//! The real binary as a child process: SIGKILL while clients are receiving `201`s, five times,
//! loses nothing; SIGTERM during traffic seals every acknowledged record before exit.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use notarium::domain::{EvidenceId, Hash, TenantRole};
use notarium::store::Store;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::support::backend::store_of;
use crate::support::demo_keys;
use crate::support::process::{Proc, serve};
use crate::support::wait_until;

/// Starts `notarium serve` on `data` on a random port: the process and its base URL.
async fn start(data: &Path) -> (Proc, String) {
    serve(data, &[], &[], &data.join("serve.log")).await
}

/// `clients` tasks posting records until `stop`; every `201` id goes into `acked`.
fn traffic(
    base: &str,
    key: &str,
    clients: usize,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<String>>>,
    count: Arc<AtomicUsize>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..clients)
        .map(|c| {
            let (base, key, stop, acked, count) = (base.to_owned(), key.to_owned(), stop.clone(), acked.clone(), count.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let body = json!({"kind": "document", "content_hash": Hash::of(format!("{c}/{i}/{:?}", std::time::SystemTime::now()).as_bytes())});
                    let Ok(res) = http.post(format!("{base}/v1/evidence")).bearer_auth(&key).json(&body).send().await else { continue };
                    if res.status() == 201 {
                        let Ok(ev) = res.json::<Value>().await else { continue };
                        acked.lock().await.push(ev["id"].as_str().unwrap().to_owned());
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect()
}

async fn wait_for(count: &AtomicUsize, at_least: usize) {
    wait_until(Duration::from_secs(60), async || match count.load(Ordering::Relaxed) {
        n if n < at_least => Err(format!("traffic stalled at {n}")),
        _ => Ok(()),
    })
    .await;
}

/// Every block starts where the previous one ended: no record sealed twice or skipped.
async fn assert_blocks_contiguous(store: &Store) -> u64 {
    let blocks = store.blocks_from(0, u32::MAX).await.unwrap();
    let mut next = 0;
    for (i, b) in blocks.iter().enumerate() {
        assert_eq!(b.height, i as u64);
        assert_eq!(b.first_seq, next, "block {} starts at {} not {next}", b.height, b.first_seq);
        next = b.end_seq();
    }
    next
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_traffic_loses_no_acknowledged_record() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let acked = Arc::new(Mutex::new(Vec::new()));
    for round in 0..5 {
        let (child, base) = start(&data).await;
        let key = demo_keys(&data)[&TenantRole::Merchant].clone();
        let (stop, count) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
        let tasks = traffic(&base, &key, 8, stop.clone(), acked.clone(), count.clone());
        wait_for(&count, 40 + round * 10).await;
        child.kill(); // SIGKILL, mid-traffic
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await.unwrap();
        }
    }
    let (child, base) = start(&data).await;
    let key = demo_keys(&data)[&TenantRole::Merchant].clone();
    let acked = acked.lock().await.clone();
    assert!(acked.len() >= 250, "{} acknowledged", acked.len());
    let http = reqwest::Client::new();
    for id in &acked {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let res =
                http.get(format!("{base}/v1/evidence/{id}/receipt?wait=5")).bearer_auth(&key).send().await.unwrap();
            match res.status().as_u16() {
                200 => break,
                202 => assert!(tokio::time::Instant::now() < deadline, "{id} never anchored"),
                other => panic!("acknowledged {id} answers {other}"),
            }
        }
    }
    child.kill();
    let store = store_of(&data).await;
    let sealed_end = assert_blocks_contiguous(&store).await;
    for id in &acked {
        let r = store
            .evidence_by_id(&id.parse::<EvidenceId>().unwrap())
            .await
            .unwrap()
            .expect("acknowledged record present");
        assert!(r.seq < sealed_end);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_seals_and_anchors_every_acknowledged_record_before_exit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (child, base) = start(&data).await;
    let key = demo_keys(&data)[&TenantRole::Merchant].clone();
    let (stop, count, acked) =
        (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)), Arc::new(Mutex::new(Vec::new())));
    let tasks = traffic(&base, &key, 8, stop.clone(), acked.clone(), count.clone());
    wait_for(&count, 100).await;
    let exit = child.terminate().await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    assert!(exit.success(), "{exit:?}");
    let store = store_of(&data).await;
    let sealed_end = assert_blocks_contiguous(&store).await;
    let acked = acked.lock().await.clone();
    for id in &acked {
        let r = store.evidence_by_id(&id.parse::<EvidenceId>().unwrap()).await.unwrap().expect("present");
        assert!(r.seq < sealed_end, "acknowledged {id} sealed before exit");
        let block = store.block_containing(r.seq).await.unwrap().unwrap();
        assert!(block.anchored.is_some(), "acknowledged {id} anchored before exit");
    }
}
