//! `notarium admin migrate`: a single-node deployment (made through the API of the in-process
//! service, then stopped) copied into a fresh PostgreSQL database by the real binary; compared
//! table by table and row by row directly in both databases; an interrupted copy resumed; the
//! service started on the copy, where every receipt of the source still verifies and new
//! records are anchored; refusals. Skipped without PostgreSQL (a failure in CI).

mod populate;
mod sides;
#[path = "../support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use notarium::config::Quota;
use notarium::service::migrate::{self, MigrateError, Options, Progress};
use notarium::store::{Database, Store};
use serde_json::Value;
use sides::Sides;
use support::TestApp;
use support::postgres::fresh_database;
use support::process::notarium;

/// `notarium admin --data DATA migrate --to URL ARGS...`: its output.
fn run_migrate(data: &Path, url: &str, args: &[&str]) -> Output {
    let mut cmd = notarium();
    cmd.args(["admin", "--data"]).arg(data).args(["migrate", "--to", url]).args(args);
    cmd.env_remove("NOTARIUM_DATABASE_URL").output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[actix_web::test]
async fn a_deployment_moves_to_postgres_and_every_receipt_still_verifies() {
    let Some(db) = fresh_database().await else { return };
    let source = populate::deployment(30).await;
    let data = source.data.path().to_owned();
    let untouched = files_beside_the_database(&data);

    let out = run_migrate(&data, &db.url, &["--page-rows", "7"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("audit of the target: consistent"), "{}", text(&out));
    assert!(!stdout.contains("DIFFERENT"), "{}", text(&out));

    let mut sides = Sides::open(&data, &db).await;
    let counts: BTreeMap<String, (i64, i64)> =
        sides.assert_same_counts().await.into_iter().map(|(t, s, p)| (t, (s, p))).collect();
    for (table, at_least) in [
        ("tenants", 7),
        ("api_keys", 7),
        ("sessions", 1),
        ("client_certs", 1),
        ("audit_cursor", 1),
        ("evidence", 30 + 4 + 1 + 5),
        ("idempotency", 3),
        ("blocks", 1),
        ("cosignatures", 2),
        ("invoices", 2),
        ("claims", 1),
        ("invoice_checks", 1),
        ("images", 1),
    ] {
        assert!(counts[table].0 >= at_least, "{table}: {:?} rows, at least {at_least} expected", counts[table]);
    }
    let records = sides.assert_same_evidence().await;
    let tenants = sides
        .same::<(Vec<u8>, String, bool, i64)>("SELECT id, name, disabled, created_ms FROM tenants ORDER BY id")
        .await;
    assert!(tenants.iter().any(|t| t.2), "a disabled tenant");
    sides
        .same::<(Vec<u8>, Vec<u8>, String, i64, Option<i64>)>(
            "SELECT fingerprint, tenant_id, subject, not_after_ms, revoked_ms FROM client_certs ORDER BY fingerprint",
        )
        .await;
    sides
        .same::<(Vec<u8>, Vec<u8>, String, i64)>(
            "SELECT token_hash, key_hash, csrf, expires_ms FROM sessions ORDER BY token_hash",
        )
        .await;
    sides.same::<(i64, Vec<u8>, String, i64)>("SELECT height, block_hash, log, end_seq FROM audit_cursor").await;
    sides
        .same::<(Vec<u8>, Vec<u8>, String, Option<i64>)>(
            "SELECT key_hash, tenant_id, label, revoked_ms FROM api_keys ORDER BY key_hash",
        )
        .await;
    sides
        .same::<(i64, String, Vec<u8>, Option<i64>)>(
            "SELECT height, header, block_hash, anchored_ms FROM blocks ORDER BY height",
        )
        .await;
    sides
        .same::<(i64, String, Vec<u8>)>("SELECT height, witness, cms FROM cosignatures ORDER BY height, witness")
        .await;
    sides.same::<(i64, Vec<u8>)>("SELECT height, roots FROM block_tiles ORDER BY height").await;
    let invoices = sides
        .same::<(String, Option<String>, i64, i64, Option<i64>, Option<String>)>(
            "SELECT invoice_number, body, claimed_cents, active_claims, void_seq, void_reason FROM invoices ORDER BY invoice_number",
        )
        .await;
    assert!(invoices[1].4.is_some(), "the second invoice is voided: {invoices:?}");
    let claims = sides
        .same::<(Vec<u8>, i64, Option<i64>, Option<i64>)>(
            "SELECT id, amount_cents, withdrawal_seq, withdrawn_ms FROM claims ORDER BY id",
        )
        .await;
    assert!(claims[0].2.is_some(), "the claim is withdrawn");
    sides
        .same::<(String, i64, String)>(
            "SELECT invoice_number, checked_ms, verdict FROM invoice_checks ORDER BY checked_ms",
        )
        .await;
    let images = sides
        .same::<(i64, Vec<u8>, Vec<u8>, Vec<u8>)>(
            "SELECT seq, content_hash, fingerprints, thumbnail FROM images ORDER BY seq",
        )
        .await;
    assert!(!images[0].2.is_empty(), "the picture has fingerprints");
    let next: i64 = sqlx::query_scalar("SELECT next_seq FROM log_state").fetch_one(&mut sides.pg).await.unwrap();
    assert_eq!(next, records as i64, "the target numbers new records after the copied ones");
    assert_eq!(files_beside_the_database(&data), untouched, "witness state, PKI and blobs are not touched");

    // The service on the copy (same data directory: PKI, witnesses, blobs).
    let url = db.url.clone();
    let app = TestApp::spawn_on(source.data, |s| {
        s.database_url = Some(url);
        // Every receipt is checked anonymously, faster than the per-IP default allows.
        s.rate_limits.anonymous_per_ip = Quota { requests_per_second: 0, burst_requests: 0, ..Quota::default() };
    })
    .await;
    for receipt in &source.receipts {
        let res = app.post_json("/v1/verify", None, &serde_json::to_value(receipt).unwrap()).await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["valid"], true, "{body:#}");
    }
    let (content, upload) = &source.upload;
    let served = app.anchored_receipt(upload, &source.merchant).await;
    let before = source.receipts.iter().find(|r| r.evidence.id == *upload).unwrap();
    assert_eq!(served.to_json_pretty(), before.to_json_pretty(), "the same receipt from PostgreSQL");
    let form = reqwest::multipart::Form::new()
        .part("receipt", reqwest::multipart::Part::bytes(served.to_json_pretty().into_bytes()))
        .part("file", reqwest::multipart::Part::bytes(content.clone()));
    let body: Value = app.http.post(app.url("/v1/verify")).multipart(form).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["valid"], true, "{body:#}");
    let after = app.register(b"registered after the move").await;
    let receipt = app.anchored_receipt(after.id, &source.merchant).await;
    assert!(receipt.block.height > before.block.height, "the chain goes on, co-signed by the same witnesses");
    let data = app.stop().await;

    let out =
        notarium().arg("audit").arg("--data").arg(data.path()).args(["--database-url", &db.url]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[actix_web::test]
async fn an_interrupted_migration_resumes_without_duplicating_or_skipping() {
    let Some(db) = fresh_database().await else { return };
    let source = populate::deployment(400).await;
    let data = source.data.path();
    let mut sides = Sides::open(data, &db).await;

    // Stopped by the library after seven pages of 20 rows (tenants, keys, sessions, client
    // certificates, then 60 records).
    let from = Store::copy_source(&data.join("notarium.db")).await.unwrap();
    let to = Store::copy_target(&Database::Postgres { url: db.url.clone(), password_file: None }).await.unwrap();
    let options = Options { page_rows: 20, stop_after_pages: Some(7) };
    let stopped = migrate::migrate(&*from, &*to, options, &mut Silent).await;
    assert!(matches!(stopped, Err(MigrateError::Stopped(7))), "{stopped:?}");
    from.close().await;
    to.close().await;
    let partial = sides.target_rows("evidence").await;
    assert_eq!(partial, 60);

    // The binary, killed (SIGKILL) while it copies pages of 5 rows.
    let mut child = notarium()
        .args(["admin", "--data"])
        .arg(data)
        .args(["migrate", "--to", &db.url, "--page-rows", "5"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut seen = partial;
    while seen < partial + 100 && child.try_wait().unwrap().is_none() {
        tokio::time::sleep(Duration::from_millis(2)).await;
        seen = sides.target_rows("evidence").await;
    }
    let _ = child.kill();
    let status = child.wait().unwrap();
    let killed_at = sides.target_rows("evidence").await;
    eprintln!("killed ({status:?}) with {killed_at} records copied");

    let out = run_migrate(data, &db.url, &["--page-rows", "50"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("copied before"), "the run says it continued: {stderr}");
    sides.assert_same_counts().await;
    assert!(sides.assert_same_evidence().await > 400);

    // Once more, the target named as the service's database: nothing left, nothing twice.
    let again = notarium()
        .args(["admin", "--data"])
        .arg(data)
        .arg("migrate")
        .env("NOTARIUM_DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    sides.assert_same_counts().await;

    // A column changed in the target (or in the source after it was copied) is found.
    sqlx::query("UPDATE evidence SET metadata = '{\"title\":\"changed\"}' WHERE seq = 7")
        .execute(&mut sides.pg)
        .await
        .unwrap();
    let changed = run_migrate(data, &db.url, &[]);
    assert_eq!(changed.status.code(), Some(1), "{}", text(&changed));
    let stdout = String::from_utf8_lossy(&changed.stdout);
    let line = stdout.lines().find(|l| l.starts_with("DIFFERENT: evidence")).unwrap_or_default();
    assert!(line.ends_with("in the target, from row 7 in key order"), "{stdout}");
}

#[actix_web::test]
async fn a_source_in_use_and_a_target_holding_other_rows_are_refused() {
    let Some(db) = fresh_database().await else { return };
    let running = TestApp::spawn().await;
    running.register(b"one").await;
    let out = run_migrate(running.data.path(), &db.url, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stop `notarium serve` on it first"), "{}", text(&out));
    let first = running.stop().await;
    let mut sides = Sides::open(first.path(), &db).await;
    assert_eq!(sides.target_rows("tenants").await, 0, "nothing copied while the source is in use");

    let out = run_migrate(first.path(), &db.url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let other = TestApp::spawn().await;
    other.register(b"two").await;
    let second = other.stop().await;
    // Named by its file this time (the data directory is then the file's folder).
    let from = format!("sqlite://{}", second.path().join("notarium.db").display());
    let out = notarium().args(["admin", "migrate", "--from", &from, "--to", &db.url]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not from this source"), "{}", text(&out));
    sides.assert_same_counts().await;
}

/// No progress shown.
struct Silent;

impl Progress for Silent {
    fn started(&mut self, _: &str, _: u64, _: u64) {}
    fn copied(&mut self, _: &str, _: u64, _: u64) {}
    fn finished(&mut self, _: &str, _: u64, _: u64) {}
    fn comparing(&mut self) {}
}

/// Every file of the data directory but the database's own (and the lock), with its bytes.
fn files_beside_the_database(data: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut dirs = vec![data.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                dirs.push(path);
            } else if !name.starts_with("notarium.db") && name != "lock" {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}
