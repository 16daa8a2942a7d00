//! The audit: one changed byte in a stored leaf hash, a record's content hash, its metadata, a
//! block's root, another header byte or a co-signature is named exactly (table, row, what);
//! an untouched database audits clean with the right counts; `notarium audit` exits 0/1/2,
//! also beside a running server; the scheduled audit shows in `/readyz` without making the
//! service unready; a bad `audit_cron` refuses start-up naming the key.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use notarium::app::Application;
use notarium::audit::{Inconsistency, Outcome, Table, audit_data_dir};
use notarium::config::Settings;
use notarium::domain::quorum::QuorumPolicy;
use notarium::domain::{EvidenceId, Hash, TenantRole};
use notarium::store::{DB_FILE, Database, Store};
use serde_json::{Value, json};
use sqlx::{Connection, Row, SqliteConnection};

use crate::support::process;
use crate::support::{TestApp, wait_until};

/// What the tests tamper with: a record in the middle of a block of three, and that block.
struct Target {
    id: EvidenceId,
    seq: u64,
    height: u64,
}

/// A stopped service's data directory with three records anchored in one block.
async fn sealed_data(adjust: impl FnOnce(&mut Settings)) -> (TestApp, Target) {
    let app = TestApp::spawn_with(adjust).await;
    let items: Vec<Value> = (0..3u8)
        .map(
            |i| json!({ "kind": "document", "content_hash": Hash::of(&[i]), "metadata": { "title": format!("t{i}") } }),
        )
        .collect();
    let key = app.key(TenantRole::Merchant).to_owned();
    let res = app.post_json("/v1/evidence/batch", Some(&key), &json!({ "items": items })).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let id: EvidenceId = body["items"][1]["id"].as_str().unwrap().parse().unwrap();
    let receipt = app.anchored_receipt(&id.to_string(), &key).await;
    let store = Store::open_read_only(app.data.path()).await.unwrap();
    let seq = store.evidence_by_id(&id).await.unwrap().unwrap().seq;
    store.close().await;
    (app, Target { id, seq, height: receipt.block.height })
}

/// Copies what the audit reads (the database and the trust anchors) to a fresh directory.
fn copy_data(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let name = entry.unwrap().file_name();
        if name.to_string_lossy().starts_with("notarium.db") {
            std::fs::copy(from.join(&name), to.path().join(&name)).unwrap();
        }
    }
    std::fs::create_dir_all(to.path().join("pki/trust")).unwrap();
    std::fs::copy(from.join("pki/trust/ca.pem"), to.path().join("pki/trust/ca.pem")).unwrap();
    to
}

async fn connect(data: &Path) -> SqliteConnection {
    SqliteConnection::connect(&format!("sqlite://{}", data.join("notarium.db").display())).await.unwrap()
}

/// Flips the lowest bit of byte `at` (counted from the end when negative) of `column` in the
/// row of `table` matching `filter`, whose one `?` is `key`.
async fn flip_byte(data: &Path, table: &str, column: &str, filter: &str, key: u64, at: isize) {
    let mut conn = connect(data).await;
    let select = format!("SELECT {column} FROM {table} WHERE {filter}");
    let row = sqlx::query(sqlx::AssertSqlSafe(select)).bind(key as i64).fetch_one(&mut conn).await.unwrap();
    let mut blob: Vec<u8> = row.get(0);
    let i = if at < 0 { blob.len() - at.unsigned_abs() } else { at as usize };
    blob[i] ^= 0x01;
    let update = format!("UPDATE {table} SET {column} = ? WHERE {filter}");
    sqlx::query(sqlx::AssertSqlSafe(update)).bind(blob).bind(key as i64).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

/// Replaces one character of the header at `height`: the first character after `marker`
/// (plus `offset`) becomes `change(c)`.
async fn edit_header(data: &Path, height: u64, marker: &str, offset: usize, change: fn(char) -> char) {
    let mut conn = connect(data).await;
    let header: String = sqlx::query("SELECT header FROM blocks WHERE height = ?")
        .bind(height as i64)
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    let at = header.find(marker).unwrap() + marker.len() + offset;
    let mut chars: Vec<char> = header.chars().collect();
    chars[at] = change(chars[at]);
    let edited: String = chars.into_iter().collect();
    assert_eq!(edited.len(), header.len());
    sqlx::query("UPDATE blocks SET header = ? WHERE height = ?")
        .bind(edited)
        .bind(height as i64)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

async fn audit(data: &Path) -> Outcome {
    audit_data_dir(data, &Database::Sqlite(data.join(DB_FILE)), QuorumPolicy::default())
        .await
        .expect("the database is readable")
}

fn found(outcome: &Outcome) -> &Inconsistency {
    outcome.inconsistency.as_ref().expect("an inconsistency")
}

#[actix_web::test]
async fn each_changed_byte_is_named_exactly() {
    let (app, t) = sealed_data(|_| {}).await;
    let data = app.stop().await;
    let (h, s) = (t.height, t.seq);

    // A stored leaf hash: the rebuilt leaf restores the header's root.
    let dir = copy_data(data.path());
    flip_byte(dir.path(), "evidence", "leaf_hash", "seq = ?", s, 5).await;
    let outcome = audit(dir.path()).await;
    let i = found(&outcome);
    assert!(
        matches!(i, Inconsistency::LeafHash { height, seq, id, .. } if (*height, *seq, *id) == (h, s, t.id)),
        "{i:?}"
    );
    assert_eq!(i.table(), Table::Evidence);
    let text = i.to_string();
    assert!(
        text.starts_with(&format!("evidence seq {s} (id {}", t.id)) && text.contains("stored leaf_hash was changed"),
        "{text}"
    );

    // A record's content hash: the stored leaves still give the root, the fields do not.
    let dir = copy_data(data.path());
    flip_byte(dir.path(), "evidence", "content_hash", "seq = ?", s, 0).await;
    let i = audit(dir.path()).await.inconsistency.unwrap();
    assert!(
        matches!(i, Inconsistency::RecordFields { height, seq, id, field: Some("content_hash"), .. } if (height, seq, id) == (h, s, t.id)),
        "{i:?}"
    );
    assert!(i.to_string().contains("its content_hash was changed (one byte)"), "{i}");

    // Its metadata: one byte of the stored JSON.
    let dir = copy_data(data.path());
    let mut conn = connect(dir.path()).await;
    sqlx::query("UPDATE evidence SET metadata = replace(metadata, '\"t1\"', '\"t9\"') WHERE seq = ?")
        .bind(s as i64)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let i = audit(dir.path()).await.inconsistency.unwrap();
    assert!(
        matches!(i, Inconsistency::MetaHash { seq, id, changed: "metadata", .. } if (seq, id) == (s, t.id)),
        "{i:?}"
    );

    // The root inside a header: the header with the rebuilt root hashes to block_hash.
    let dir = copy_data(data.path());
    edit_header(dir.path(), h, "\nroot ", 10, |c| if c == '0' { '1' } else { '0' }).await;
    let i = audit(dir.path()).await.inconsistency.unwrap();
    assert!(matches!(i, Inconsistency::HeaderRoot { height, .. } if height == h), "{i:?}");
    assert_eq!(i.table(), Table::Blocks);
    assert!(i.to_string().starts_with(&format!("blocks height {h}: the root in the header was changed")), "{i}");

    // Another byte of the same header (the millisecond digit of `sealed`): a different message.
    let dir = copy_data(data.path());
    edit_header(dir.path(), h, "\nsealed ", 22, |c| char::from_digit((c.to_digit(10).unwrap() + 1) % 10, 10).unwrap())
        .await;
    let i = audit(dir.path()).await.inconsistency.unwrap();
    assert!(
        matches!(i, Inconsistency::HeaderField { height, field: "sealed", header_intact: false, .. } if height == h),
        "{i:?}"
    );
    assert!(i.to_string().contains("the header text was changed"), "{i}");

    // One byte of the court's co-signature (inside the ECDSA signature at the end).
    let dir = copy_data(data.path());
    flip_byte(dir.path(), "cosignatures", "cms", "height = ? AND witness = 'court'", h, -1).await;
    let i = audit(dir.path()).await.inconsistency.unwrap();
    let Inconsistency::Cosignature { height, witness, check, .. } = &i else { panic!("{i:?}") };
    assert_eq!((*height, witness.as_str(), *check), (h, "court", "cosignature"));
    assert_eq!(i.table(), Table::Cosignatures);
    assert!(i.to_string().starts_with(&format!("cosignatures height {h}, witness court:")), "{i}");

    // A co-signature of an anchored block deleted: the rest no longer meets the quorum.
    let dir = copy_data(data.path());
    let mut conn = connect(dir.path()).await;
    let gone = sqlx::query("DELETE FROM cosignatures WHERE height = ? AND witness = 'notary'")
        .bind(h as i64)
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(gone.rows_affected(), 1);
    conn.close().await.unwrap();
    let i = audit(dir.path()).await.inconsistency.unwrap();
    assert!(matches!(i, Inconsistency::Quorum { height, .. } if height == h), "{i:?}");
    assert!(i.to_string().contains("1 court, 0 notary"), "{i}");
}

#[actix_web::test]
async fn an_untouched_database_audits_clean_with_the_right_counts() {
    let (app, _) = sealed_data(|_| {}).await;
    let data = app.stop().await;
    let outcome = audit(data.path()).await;
    assert!(outcome.inconsistency.is_none(), "{:?}", outcome.inconsistency);
    let mut conn = connect(data.path()).await;
    let mut count = async |sql: &str| -> u64 {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&mut conn).await.unwrap() as u64
    };
    let (records, blocks, cosignatures) = (
        count("SELECT COUNT(*) FROM evidence").await,
        count("SELECT COUNT(*) FROM blocks").await,
        count("SELECT COUNT(*) FROM cosignatures").await,
    );
    let s = &outcome.summary;
    assert_eq!((s.records, s.blocks, s.cosignatures), (records, blocks, cosignatures));
    assert_eq!((records, s.first_height, s.last_height), (3, Some(0), Some(blocks - 1)));
    assert!(cosignatures >= 2, "the block of the records is anchored");
    // A database without blocks is consistent too.
    let empty = TestApp::spawn().await.stop().await;
    let s = audit(empty.path()).await.summary;
    assert_eq!((s.records, s.blocks, s.cosignatures), (0, 0, 0));
}

/// Runs the real binary (off the async runtime: it may wait on a database the app holds).
async fn notarium(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || process::notarium().args(args).env_remove("NOTARIUM_DATA").output().unwrap())
        .await
        .unwrap()
}

fn audit_args(data: &Path) -> Vec<String> {
    vec!["audit".into(), "--data".into(), data.display().to_string()]
}

#[actix_web::test]
async fn the_cli_exits_0_1_2_and_runs_beside_the_server() {
    let (app, t) = sealed_data(|_| {}).await;
    // Beside the running server (same data directory, no lock taken).
    let out = notarium(audit_args(app.data.path())).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("consistent: 3 records, ") && stdout.contains("co-signatures checked in"), "{stdout}");
    let data = app.stop().await;

    let dir = copy_data(data.path());
    flip_byte(dir.path(), "evidence", "leaf_hash", "seq = ?", t.seq, 0).await;
    let out = notarium(audit_args(dir.path())).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.starts_with(&format!("INCONSISTENT: evidence seq {} (id {}", t.seq, t.id)), "{stdout}");

    let nothing = tempfile::tempdir().unwrap();
    let out = notarium(audit_args(nothing.path())).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database"), "{out:?}");
    assert!(!nothing.path().join("notarium.db").exists(), "the audit creates nothing");
}

/// Polls `/readyz` until `done` holds for its `audit` object (deadline 30 s).
async fn audit_status(app: &TestApp, done: impl Fn(&Value) -> bool) -> (u16, Value) {
    wait_until(Duration::from_secs(30), async || {
        let res = app.get("/readyz", None).await;
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        if done(&body["audit"]) { Ok((status, body)) } else { Err(format!("readyz never showed it: {body}")) }
    })
    .await
}

fn every_second(s: &mut Settings) {
    s.audit_cron = "* * * * * *".into();
}

#[actix_web::test]
async fn the_scheduled_audit_shows_in_readyz_and_resumes_after_a_restart() {
    let (app, t) = sealed_data(every_second).await;
    let (status, body) = audit_status(&app, |a| a["audited_through"].as_u64().is_some_and(|x| x >= t.height)).await;
    assert_eq!(status, 200);
    let a = &body["audit"];
    assert_eq!((a["schedule"].as_str(), a["ok"].as_bool()), (Some("* * * * * *"), Some(true)), "{a}");
    assert!(a["last_run"].is_string() && a["inconsistency"].is_null(), "{a}");
    let data = app.stop().await;
    let store = Store::open_read_only(data.path()).await.unwrap();
    let cursor = store.audit_cursor().await.unwrap().expect("a durable cursor");
    store.close().await;
    assert!(cursor.height >= t.height);

    // Damage below the cursor is not audited again by the schedule (the restart resumes after
    // the cursor: had it started over, it would stop at the damage and never pass the new
    // block), but the full `notarium audit` finds it.
    flip_byte(data.path(), "evidence", "content_hash", "seq = ?", t.seq, 0).await;
    let app = TestApp::spawn_on(data, every_second).await;
    let next = app.register(b"after the restart").await;
    let receipt = app.anchored_receipt(next.id, app.key(TenantRole::Merchant)).await;
    let h2 = receipt.block.height;
    let (_, body) = audit_status(&app, |a| a["audited_through"].as_u64().is_some_and(|x| x >= h2)).await;
    assert_eq!(body["audit"]["ok"], true, "{body}");
    let data = app.stop().await;
    let i = audit(data.path()).await.inconsistency.unwrap();
    assert!(matches!(i, Inconsistency::RecordFields { seq, .. } if seq == t.seq), "{i:?}");
}

#[actix_web::test]
async fn an_inconsistency_shows_in_readyz_without_making_the_service_unready() {
    let (app, t) = sealed_data(|_| {}).await; // nightly: no audit runs during the test
    let data = app.stop().await;
    flip_byte(data.path(), "evidence", "content_hash", "seq = ?", t.seq, 0).await;
    let app = TestApp::spawn_on(data, every_second).await;
    let (status, body) = audit_status(&app, |a| a["ok"] == false).await;
    assert_eq!((status, body["ready"].as_bool()), (200, Some(true)), "{body}");
    let a = &body["audit"];
    let text = a["inconsistency"].as_str().unwrap();
    assert!(text.starts_with(&format!("evidence seq {} (id {}", t.seq, t.id)), "{text}");
    assert_eq!(a["audited_through"].as_u64(), t.height.checked_sub(1), "{a}");
    app.stop().await;
}

#[actix_web::test]
async fn a_bad_audit_cron_refuses_start_up_naming_the_key() {
    let data = tempfile::tempdir().unwrap();
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        data: data.path().to_owned(),
        audit_cron: "0 3 * * *".into(),
        ..Settings::default()
    };
    let err = format!("{:#}", Application::build(settings).await.err().expect("refused"));
    assert!(err.contains("audit_cron") && err.contains("six fields"), "{err}");

    let out = tokio::task::spawn_blocking({
        let data = data.path().to_owned();
        move || {
            process::notarium()
                .args(["serve", "--listen", "127.0.0.1:0", "--data"])
                .arg(data)
                .env("NOTARIUM_AUDIT_CRON", "every night")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("audit_cron"), "{out:?}");
}

#[tokio::test]
async fn an_emptied_salt_is_refused_on_anything_but_an_erased_invoice() {
    let (app, t) = sealed_data(|_| {}).await;
    let data = app.stop().await;
    let dir = copy_data(data.path());
    // Emptying a document's salt would skip the leaf rebuild if empty salts were trusted.
    let mut conn = connect(dir.path()).await;
    sqlx::query("UPDATE evidence SET salt = X'', content_hash = zeroblob(32) WHERE seq = ?")
        .bind(t.seq as i64)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let outcome = audit(dir.path()).await;
    let i = found(&outcome);
    assert!(matches!(i, Inconsistency::Unreadable { .. }), "{i:?}");
    assert!(i.to_string().contains("empty salt on a document record"), "{i}");
}
