//! `notarium verify --online URL` against a live service: a genuine receipt passes
//! `online_header` and `online_head`; `--max-headers` below the distance gives "not checked
//! beyond N headers"; once the service's database is rolled back (and then rewritten), the same
//! receipt fails both, in plain words first. And the header pages it walks (`GET /v1/blocks`).

use std::path::Path;
use std::time::Duration;

use notarium::domain::{BlockHeader, Hash, Receipt, TenantRole};
use serde_json::Value;

use crate::support::process::notarium;
use crate::support::{TestApp, problem, wait_until};

/// Copies a stopped service's whole data directory (database, PKI, witnesses' state).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `notarium verify RECEIPT --trust ca.pem --online BASE ARGS...`: exit code and stdout. The
/// child runs off the test's thread, so that the in-process service keeps answering it.
async fn verify_online(app: &TestApp, receipt: &Receipt, args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("receipt.json");
    std::fs::write(&path, serde_json::to_vec(receipt).unwrap()).unwrap();
    let mut cmd = notarium();
    cmd.arg("verify").arg(&path).arg("--trust").arg(app.trust_dir().join("ca.pem"));
    cmd.arg("--online").arg(&app.base).args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    drop(dir);
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

/// The `--json` report's check `name`: `(ok, detail)`.
async fn check(app: &TestApp, receipt: &Receipt, name: &str, args: &[&str]) -> (Value, String) {
    let (_, out) = verify_online(app, receipt, &[args, &["--json"]].concat()).await;
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let c = report["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone();
    (c["ok"].clone(), c["detail"].as_str().unwrap().to_owned())
}

/// Registers `content` and waits for its receipt.
async fn anchored(app: &TestApp, content: &[u8]) -> Receipt {
    let e = app.register(content).await;
    app.anchored_receipt(e.id, app.key(TenantRole::Merchant)).await
}

#[tokio::test]
async fn online_passes_on_the_live_history_and_fails_once_the_database_is_rolled_back_or_rewritten() {
    let app = TestApp::spawn().await;
    let first = anchored(&app, b"first").await;
    let data = app.stop().await;
    let snapshot = tempfile::tempdir().unwrap();
    copy_dir(data.path(), snapshot.path());
    let app = TestApp::spawn_on(data, |_| {}).await;
    let second = anchored(&app, b"second").await;
    let third = anchored(&app, b"third").await;
    assert!(third.block.height >= first.block.height + 2, "{} {}", first.block.height, third.block.height);

    // The live history: both checks pass, the plain answers come first.
    let (code, text) = verify_online(&app, &first, &[]).await;
    assert_eq!(code, Some(0), "{text}");
    let plain: Vec<&str> = text.lines().take(4).collect();
    assert_eq!(plain[0], "No file was given: the receipt was checked, not a file.", "{text}");
    assert!(plain[1].starts_with("The receipt is valid"), "{text}");
    assert!(plain[2].starts_with("The service still shows the same history"), "{text}");
    assert!(plain[3].contains("builds on this one"), "{text}");
    assert_eq!(check(&app, &first, "online_header", &[]).await.0, true);
    let (ok, detail) = check(&app, &first, "online_head", &[]).await;
    assert_eq!(ok, true, "{detail}");

    // Capped below the distance: neither passed nor failed, and the receipt stays valid.
    let (code, text) = verify_online(&app, &first, &["--max-headers", "1"]).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("checked for 1 blocks only"), "{text}");
    let (ok, detail) = check(&app, &first, "online_head", &["--max-headers", "1"]).await;
    assert_eq!(ok, Value::Null, "{detail}");
    assert!(detail.starts_with("not checked beyond 1 headers"), "{detail}");

    // A changed file, in plain words.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("changed"), b"secon").unwrap();
    let changed = dir.path().join("changed");
    let (code, text) = verify_online(&app, &second, &["--file", changed.to_str().unwrap()]).await;
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(text.lines().next(), Some("This is NOT the file that was registered."), "{text}");
    let _ = app.stop().await;

    // Rolled back to before the second record: its block is gone, the head is below it.
    let app = TestApp::spawn_on(snapshot, |_| {}).await;
    let (code, text) = verify_online(&app, &second, &[]).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("now shows a DIFFERENT history"), "{text}");
    assert_eq!(check(&app, &second, "online_header", &[]).await.0, false);
    let (ok, detail) = check(&app, &second, "online_head", &[]).await;
    assert_eq!(ok, false, "{detail}");
    assert!(detail.contains("cut back"), "{detail}");

    // Rewritten: new records take the second record's height with other headers.
    let height = second.block.height;
    let other = anchored(&app, b"another second").await;
    wait_until(Duration::from_secs(30), async || {
        let b = app.block("latest").await;
        if b.height >= height && b.anchored.is_some() { Ok(()) } else { Err(format!("latest {}", b.height)) }
    })
    .await;
    let _ = other;
    let (code, text) = verify_online(&app, &second, &[]).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(&format!("The service now shows a DIFFERENT history at this height ({height}).")), "{text}");
    let (ok, detail) = check(&app, &second, "online_header", &[]).await;
    assert_eq!((ok, detail), (Value::Bool(false), format!("the server serves a different header at height {height}")));
    let (ok, detail) = check(&app, &second, "online_head", &[]).await;
    assert_eq!(ok, false, "{detail}");
    assert!(detail.contains("does not link") || detail.contains("not the receipt's"), "{detail}");
    // The history before the rollback is untouched: the first receipt still passes.
    let (code, text) = verify_online(&app, &first, &[]).await;
    assert_eq!(code, Some(0), "{text}");
    let _ = app.stop().await;
}

#[tokio::test]
async fn header_pages_come_in_height_order_linked_with_the_anchored_head_and_refuse_bad_limits() {
    let app = TestApp::spawn().await;
    for content in [b"one".as_slice(), b"two", b"three"] {
        anchored(&app, content).await;
    }
    let latest = app.block("latest").await;
    let page: Value = app.get("/v1/blocks?from=0", None).await.json().await.unwrap();
    let headers = page["headers"].as_array().unwrap();
    assert_eq!(headers.len() as u64, latest.height + 1);
    assert_eq!(page["next"], Value::Null);
    let mut prev = Hash::ZERO;
    for (i, h) in headers.iter().enumerate() {
        let text = h["header"].as_str().unwrap();
        let parsed = BlockHeader::parse(text).unwrap();
        assert_eq!((h["height"].as_u64(), parsed.height, parsed.prev), (Some(i as u64), i as u64, prev));
        prev = Hash::of(text.as_bytes());
        assert_eq!(h["block_hash"], prev.to_string());
    }
    let head = &page["anchored_head"];
    assert!(head["height"].as_u64().unwrap() <= latest.height);
    assert!(head["anchored"].is_string() && !head["cosignatures"].as_array().unwrap().is_empty(), "{head}");

    let one: Value = app.get("/v1/blocks?from=1&limit=1", None).await.json().await.unwrap();
    assert_eq!((one["headers"].as_array().unwrap().len(), one["headers"][0]["height"].as_u64()), (1, Some(1)));
    assert_eq!(one["next"], 2);
    let past: Value = app.get(&format!("/v1/blocks?from={}", latest.height + 1), None).await.json().await.unwrap();
    assert_eq!((past["headers"].as_array().unwrap().len(), &past["next"]), (0, &Value::Null));

    for (query, code) in [
        ("limit=0", "invalid_limit"),
        ("limit=1001", "invalid_limit"),
        ("limit=99999999999", "invalid_query"),
        ("from=abc", "invalid_query"),
        ("from=-1", "invalid_query"),
        ("height=1", "invalid_query"),
    ] {
        assert_eq!(
            problem(app.get(&format!("/v1/blocks?{query}"), None).await).await,
            (400, code.to_owned()),
            "{query}"
        );
    }
    let _ = app.stop().await;
}
