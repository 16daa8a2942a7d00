//! The audit on either backend: an untouched database audits clean with the right counts; the
//! scheduled audit inside the service shows in `/readyz` and resumes after a restart from its
//! durable cursor; an inconsistency shows there without making the service unready; an invoice
//! whose ledger columns disagree with its active claims is named. The
//! helpers (a service with sealed records, a flipped byte, the full audit) serve `audit.rs`.

use std::path::Path;
use std::time::Duration;

use notarium::audit::{Inconsistency, Outcome, audit_data_dir};
use notarium::config::Settings;
use notarium::domain::quorum::QuorumPolicy;
use notarium::domain::{EvidenceId, Hash, TenantRole};
use serde_json::{Value, json};

use crate::invoices::{claim, content_hash, invoice, issue, path};
use crate::support::backend::{Db, Param, database_of, store_of};
use crate::support::{TestApp, wait_until};

/// What the tests tamper with: a record in the middle of a block of three, and that block.
pub struct Target {
    pub id: EvidenceId,
    pub seq: u64,
    pub height: u64,
}

/// A stopped service's data directory with three records anchored in one block.
pub async fn sealed_data(adjust: impl FnOnce(&mut Settings)) -> (TestApp, Target) {
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
    let store = app.store().await;
    let seq = store.evidence_by_id(&id).await.unwrap().unwrap().seq;
    store.close().await;
    (app, Target { id, seq, height: receipt.block.height })
}

/// Flips the lowest bit of byte `at` (counted from the end when negative) of `column` in the
/// row of `table` matching `filter`, whose one `?` is `key`, in the database of `data`.
pub async fn flip_byte(data: &Path, table: &str, column: &str, filter: &str, key: u64, at: isize) {
    let mut db = Db::of(data).await;
    let key = Param::Int(key as i64);
    let select = format!("SELECT {column} FROM {table} WHERE {}", filter.replace('?', "$1"));
    let mut blob = db.bytes(&select, &[key]).await;
    let i = if at < 0 { blob.len() - at.unsigned_abs() } else { at as usize };
    blob[i] ^= 0x01;
    let update = format!("UPDATE {table} SET {column} = $1 WHERE {}", filter.replace('?', "$2"));
    db.execute(&update, &[Param::Bytes(&blob), key]).await;
}

/// The full audit (`notarium audit`) of the database of `data`.
pub async fn audit(data: &Path) -> Outcome {
    audit_data_dir(data, &database_of(data), QuorumPolicy::default()).await.expect("the database is readable")
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
    let store = store_of(data.path()).await;
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
async fn an_untouched_database_audits_clean_with_the_right_counts() {
    let (app, _) = sealed_data(|_| {}).await;
    let data = app.stop().await;
    let outcome = audit(data.path()).await;
    assert!(outcome.inconsistency.is_none(), "{:?}", outcome.inconsistency);
    let mut db = Db::of(data.path()).await;
    let mut count = async |sql: &str| -> u64 { db.integers(sql).await[0] as u64 };
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

#[actix_web::test]
async fn the_audit_names_an_invoice_whose_claimed_total_disagrees_with_its_active_claims() {
    let app = TestApp::spawn().await;
    let insurer = app.key(TenantRole::Insurer).to_owned();
    for number in ["AL-1", "AL-2"] {
        let inv = invoice("DEMO-HOSP", number);
        issue(&app, &inv).await;
        let hash = content_hash(&inv);
        for (amount, reference) in [("30.00", "a"), ("20.00", "b")] {
            let (status, body) = claim(&app, &insurer, number, &hash, amount, &format!("{number}-{reference}")).await;
            assert_eq!(status, 201, "{body}");
            if number == "AL-1" && reference == "a" {
                // A withdrawn claim counts no more: the ledger says 20.00 in 1 claim.
                let withdraw = format!("{}/claims/{}/withdraw", path(number), body["id"].as_str().unwrap());
                assert_eq!(app.post_json(&withdraw, Some(&insurer), &json!({})).await.status(), 201);
            }
        }
    }
    let data = app.stop().await;
    let outcome = audit(data.path()).await;
    assert!(outcome.inconsistency.is_none(), "{:?}", outcome.inconsistency);

    let mut db = Db::of(data.path()).await;
    let changed = "UPDATE invoices SET claimed_cents = claimed_cents - 1 WHERE invoice_number = 'AL-2'";
    assert_eq!(db.execute(changed, &[]).await, 1);
    let found = audit(data.path()).await.inconsistency;
    let expected = Inconsistency::InvoiceLedger {
        invoice: "DEMO-HOSP/330100-2026/AL-2".into(),
        claimed_cents: (4999, 5000),
        active_claims: (2, 2),
    };
    assert_eq!(found.as_ref(), Some(&expected));
    let text = expected.to_string();
    assert!(text.starts_with("invoices DEMO-HOSP/330100-2026/AL-2: its claimed_cents disagree"), "{text}");

    // The claim count is checked too: AL-1's withdrawn claim counted as active again.
    db.execute("UPDATE invoices SET claimed_cents = claimed_cents + 1 WHERE invoice_number = 'AL-2'", &[]).await;
    db.execute("UPDATE invoices SET active_claims = 2 WHERE invoice_number = 'AL-1'", &[]).await;
    let found = audit(data.path()).await.inconsistency;
    assert!(
        matches!(&found, Some(Inconsistency::InvoiceLedger { invoice, active_claims: (2, 1), claimed_cents: (2000, 2000) })
            if invoice == "DEMO-HOSP/330100-2026/AL-1"),
        "{found:?}"
    );
}
