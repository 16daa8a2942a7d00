//! The real binary as a child process: SIGKILL while clients are receiving `201`s, five times,
//! loses nothing; SIGTERM during traffic seals every acknowledged record before exit.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use notarium::domain::{EvidenceId, Hash, TenantRole};
use notarium::store::Store;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::helpers::demo_keys;

/// Starts `notarium serve` on a random port; returns the child and its base URL.
// The child is returned to the caller, which always kills and waits for it; the lint cannot
// follow a child across a return.
#[allow(clippy::zombie_processes)]
async fn start(data: &Path) -> (Child, String) {
    let addr_file = data.join("listen-addr");
    let _ = std::fs::remove_file(&addr_file);
    std::fs::create_dir_all(data).unwrap();
    let log = std::fs::OpenOptions::new().create(true).append(true).open(data.join("serve.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_notarium"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .env("NOTARIUM_SEAL_INTERVAL_MS", "100")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(addr) = std::fs::read_to_string(&addr_file) {
            return (child, format!("http://{addr}"));
        }
        if tokio::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not start: {}", std::fs::read_to_string(data.join("serve.log")).unwrap_or_default());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while count.load(Ordering::Relaxed) < at_least {
        assert!(tokio::time::Instant::now() < deadline, "traffic stalled at {}", count.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
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
        let (mut child, base) = start(&data).await;
        let key = demo_keys(&data)[&TenantRole::Merchant].clone();
        let (stop, count) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
        let tasks = traffic(&base, &key, 8, stop.clone(), acked.clone(), count.clone());
        wait_for(&count, 40 + round * 10).await;
        child.kill().unwrap(); // SIGKILL, mid-traffic
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await.unwrap();
        }
    }
    let (mut child, base) = start(&data).await;
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
    child.kill().unwrap();
    child.wait().unwrap();
    let store = Store::open(&data).await.unwrap();
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
    let (mut child, base) = start(&data).await;
    let key = demo_keys(&data)[&TenantRole::Merchant].clone();
    let (stop, count, acked) =
        (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)), Arc::new(Mutex::new(Vec::new())));
    let tasks = traffic(&base, &key, 8, stop.clone(), acked.clone(), count.clone());
    wait_for(&count, 100).await;
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    assert!(exit.success(), "{exit:?}");
    let store = Store::open(&data).await.unwrap();
    let sealed_end = assert_blocks_contiguous(&store).await;
    let acked = acked.lock().await.clone();
    for id in &acked {
        let r = store.evidence_by_id(&id.parse::<EvidenceId>().unwrap()).await.unwrap().expect("present");
        assert!(r.seq < sealed_end, "acknowledged {id} sealed before exit");
        let block = store.block_containing(r.seq).await.unwrap().unwrap();
        assert!(block.anchored.is_some(), "acknowledged {id} anchored before exit");
    }
}
