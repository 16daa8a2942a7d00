//! The audit: one changed byte in a stored leaf hash, a record's content hash, its metadata, a
//! block's root, another header byte or a co-signature is named exactly (table, row, what);
//! `notarium audit` exits 0/1/2, also beside a running server; a bad `audit_cron` refuses
//! start-up naming the key. These work on copies of the SQLite file (the stories of the audit
//! that run on either backend: `audit_backends.rs`).

use std::path::Path;
use std::process::Output;

use notarium::app::Application;
use notarium::audit::{Inconsistency, Outcome, Table};
use notarium::config::Settings;
use sqlx::{Connection, Row, SqliteConnection};

use crate::audit_backends::{audit, flip_byte, sealed_data};
use crate::support::process;

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
