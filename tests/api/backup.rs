//! The backup drill (issue 23): `notarium backup` of a SQLite data directory while records keep
//! arriving finishes; the backup restores into a fresh directory that `notarium audit` finds
//! consistent, where a receipt from before the backup verifies with `notarium verify` and a
//! server started on it serves the owner's original. Refusals: a backup into a non-empty
//! directory, of a PostgreSQL database, and a restore over a non-empty data directory.

use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use notarium::domain::{Hash, TenantRole};
use serde_json::{Value, json};

use crate::pictures::{jpeg, register};
use crate::support::TestApp;
use crate::support::process::notarium;

/// The records registered before the backup starts (besides the load during it).
const RECORDS: u64 = 5_000;

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// `notarium ARGS`, off the async runtime.
async fn run(args: Vec<std::ffi::OsString>) -> Output {
    tokio::task::spawn_blocking(move || notarium().args(args).output().unwrap()).await.unwrap()
}

/// Uploads files (each kept as an original) as `key` until `stop`; counts them in `done`.
async fn keep_uploading(app_url: String, key: String, stop: Arc<AtomicBool>, done: Arc<AtomicU64>) {
    let http = reqwest::Client::new();
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(format!("upload {i} during the backup").into_bytes()))
            .text("kind", "document");
        let res = http.post(format!("{app_url}/v1/evidence")).bearer_auth(&key).multipart(form).send().await.unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        done.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::test]
async fn a_backup_under_load_restores_to_a_directory_that_audits_verifies_and_serves_originals() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let picture = jpeg(23, 320, 240);
    let image = register(&app, &key, picture.clone(), "before the backup", false).await;
    let receipt = app.anchored_receipt(&image.id, &key).await;
    for chunk in 0..RECORDS / 1000 {
        let items: Vec<Value> = (0..1000u64)
            .map(|i| json!({ "kind": "document", "content_hash": Hash::of(&(chunk * 1000 + i).to_be_bytes()) }))
            .collect();
        app.register_batch(&key, &items).await;
    }

    let (stop, uploaded) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
    let load = tokio::spawn(keep_uploading(app.url(""), key.clone(), stop.clone(), uploaded.clone()));
    crate::support::wait_until(std::time::Duration::from_secs(30), async || {
        if uploaded.load(Ordering::Relaxed) >= 5 { Ok(()) } else { Err("the load has not started") }
    })
    .await;
    let backups = tempfile::tempdir().unwrap();
    let dest = backups.path().join("backup");
    let started = Instant::now();
    let out = run(vec!["backup".into(), dest.clone().into(), "--data".into(), app.data.path().into()]).await;
    let took = started.elapsed();
    let during = uploaded.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("backed up "), "{said}");
    eprintln!("backup of {} records under load: {took:?} ({during} uploads so far): {said}", RECORDS + 1);
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(&dest), mode(&dest.join("notarium.db")), mode(&dest.join("pki/ca.key"))), (0o700, 0o600, 0o600));
    let manifest: Value = serde_json::from_slice(&std::fs::read(dest.join("backup.json")).unwrap()).unwrap();
    assert!(manifest["records"].as_u64().unwrap() > RECORDS, "{manifest}");
    assert!(manifest["originals"].as_u64().unwrap() >= 2, "the picture and uploads: {manifest}");

    // Into a non-empty directory: refused.
    let again = run(vec!["backup".into(), dest.clone().into(), "--data".into(), app.data.path().into()]).await;
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("is not empty"), "{}", text(&again));
    app.stop().await;

    // Restored into a fresh directory, with the rollback warning.
    let restored = tempfile::tempdir().unwrap();
    let data = restored.path().to_owned();
    let out = run(vec!["restore".into(), dest.clone().into(), "--data".into(), data.clone().into()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("WARNING: this rolls the log back"), "{}", text(&out));
    let over = run(vec!["restore".into(), dest.clone().into(), "--data".into(), data.clone().into()]).await;
    assert_eq!(over.status.code(), Some(2));
    assert!(text(&over).contains("--force"), "{}", text(&over));

    let audit = run(vec!["audit".into(), "--data".into(), data.clone().into()]).await;
    assert_eq!(audit.status.code(), Some(0), "{}", text(&audit));
    assert!(text(&audit).starts_with("consistent: "), "{}", text(&audit));

    let files = tempfile::tempdir().unwrap();
    let (rpath, fpath) = (files.path().join("receipt.json"), files.path().join("picture.jpg"));
    std::fs::write(&rpath, receipt.to_json_pretty()).unwrap();
    std::fs::write(&fpath, &picture).unwrap();
    let trust = data.join("pki/trust/ca.pem");
    let verify =
        run(vec!["verify".into(), rpath.into(), "--trust".into(), trust.into(), "--file".into(), fpath.into()]).await;
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));

    // A server on the restored directory serves the owner's original.
    let app = TestApp::spawn_on(restored, |_| {}).await;
    let res = app.get(&format!("/v1/images/{}/original", image.id), Some(&key)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), picture.as_slice());
    app.stop().await;
}

#[tokio::test]
async fn a_postgresql_database_is_not_backed_up_by_notarium_backup() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("backup");
    let out = run(vec![
        "backup".into(),
        dest.clone().into(),
        "--data".into(),
        dir.path().into(),
        "--database-url".into(),
        "postgres://notarium@db.invalid/notarium".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("pg_dump"), "{}", text(&out));
    assert!(!dest.exists(), "nothing is written");
}
