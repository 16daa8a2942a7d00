//! Attacks on the witnesses' memory: a fork through the operator's database is refused and
//! reported; bad requests leave a witness's state files unchanged.

use std::time::Duration;

use notarium::domain::{BlockHeader, Hash, Role};
use serde_json::{Value, json};

use super::{Cluster, TOKEN, verify_with_binary_and_openssl};
use crate::support::backend::Db;
use crate::support::{metric, wait_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_through_the_database_is_refused_and_reported() {
    let mut cluster = Cluster::start().await;
    let id = cluster.register(b"anchored before the rollback").await;
    let old_receipt = cluster.anchored_receipt(&id, Duration::from_secs(30)).await;
    let height = old_receipt.block.height;

    // Roll the operator's database back: the co-signed block and its successors disappear,
    // so the sealer will seal a different block at a height the witnesses already signed.
    drop(cluster.server.take());
    Db::of(&cluster.root.path().join("data")).await.roll_back_blocks(height).await;
    cluster.restart_server().await;

    let ready = wait_until(Duration::from_secs(30), async || {
        let res = cluster.http.get(format!("{}/readyz", cluster.base)).send().await.unwrap();
        let (status, body) = (res.status().as_u16(), res.json::<Value>().await.unwrap());
        if body["fork"].is_string() { Ok((status, body)) } else { Err(format!("no fork reported: {body}")) }
    })
    .await;
    assert_eq!(ready.0, 503, "{}", ready.1);
    for name in ["court", "notary"] {
        cluster.await_refusal(name, "fork").await;
    }
    let admin =
        crate::support::demo_keys(&cluster.root.path().join("data"))[&notarium::domain::TenantRole::Admin].clone();
    let metrics = cluster.http.get(format!("{}/metrics", cluster.base)).bearer_auth(admin).send().await.unwrap();
    let text = metrics.text().await.unwrap();
    assert_eq!(metric(&text, "notarium_fork_detected"), Some(1.0), "{text}");
    for name in ["court", "notary"] {
        let refusals = metric(&text, &format!("notarium_witness_refusals_total{{witness=\"{name}\",code=\"fork\"}}"));
        assert!(refusals.is_some_and(|n| n >= 1.0), "{text}");
    }
    // Receipts issued before still verify offline.
    verify_with_binary_and_openssl(cluster.root.path(), &old_receipt, b"anchored before the rollback");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_to_a_witness_process_leave_its_state_files_unchanged() {
    let mut cluster = Cluster::start().await;
    let id = cluster.register(b"something signed").await;
    cluster.anchored_receipt(&id, Duration::from_secs(30)).await;
    let state = cluster.dir(Role::Court).join("state");
    let snapshot = || {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&state)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().is_some_and(|n| n != "lock" && n != "listen-addr"))
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    };
    // Stop the server so nothing legitimate changes the state meanwhile; requests go to the
    // court witness process directly.
    drop(cluster.server.take());
    let before = snapshot();
    assert!(before.iter().any(|(n, _)| n == "state.json"), "{:?}", before.iter().map(|f| &f.0).collect::<Vec<_>>());

    let url = format!("http://{}/witness/v1/cosign", cluster.witness_addrs[0]);
    let header = BlockHeader {
        log: notarium::config::Settings::default().log_name,
        height: 0,
        prev: Hash::ZERO,
        root: Hash::ZERO,
        leaves: 0,
        sealed: notarium::domain::Timestamp::now(),
    }
    .text();
    let post = |body: String, token: Option<&str>| {
        let mut req = cluster.http.post(&url).header("content-type", "application/json").body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let many: Vec<String> = (0..1001).map(|_| header.clone()).collect();
    let cases = [
        (post(json!({"headers": [header]}).to_string(), None).await.unwrap(), 401),
        (post(json!({"headers": [header]}).to_string(), Some("wrong")).await.unwrap(), 401),
        (post(json!({"headers": ["notarium/block/v1\nnonsense\n"]}).to_string(), Some(TOKEN)).await.unwrap(), 422),
        (post(json!({ "headers": many }).to_string(), Some(TOKEN)).await.unwrap(), 413),
        (post(format!("{{\"headers\": [\"{}\"]}}", "x".repeat(10 << 20)), Some(TOKEN)).await.unwrap(), 413),
    ];
    for (i, (res, status)) in cases.into_iter().enumerate() {
        assert_eq!(res.status().as_u16(), status, "case {i}");
        assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json", "case {i}");
    }
    assert_eq!(snapshot(), before, "the witness state files are byte for byte unchanged");
}
