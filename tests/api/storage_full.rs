//! A full database (issue 23), made without root: SQLite's `max_page_count` on the evidence
//! writer's and the readiness probe's connections (`Settings::page_limit`, a test knob) stops
//! the file from growing, as a full disk does. While full: `503 storage_full` with
//! `Retry-After`, `/readyz` 503 saying why, reads still served. Once the limit is lifted, new
//! records get `201` within seconds by themselves, and every acknowledged record is anchored;
//! a stop after the episode seals what was acknowledged.

use std::time::Duration;

use notarium::domain::{EvidenceId, Hash, TenantRole};
use notarium::store::PageLimit;
use serde_json::{Value, json};

use crate::support::{Evidence, Items, Status, TestApp, expect, problem, wait_until};

/// Registers batches of `size` records, each made by `item` from a text of its own, until one
/// is refused; the ids acknowledged meanwhile, and the refusal.
pub(crate) async fn fill(
    app: &TestApp,
    acknowledged: &mut Vec<EvidenceId>,
    size: usize,
    item: impl Fn(&str) -> Value,
) -> reqwest::Response {
    let key = app.key(TenantRole::Merchant);
    for round in 0..1000 {
        let items: Vec<Value> = (0..size).map(|i| item(&format!("fill {round} {i}"))).collect();
        let res = app.post_json("/v1/evidence/batch", Some(key), &json!({ "items": items })).await;
        if res.status() != 201 {
            return res;
        }
        acknowledged.extend(expect::<Items>(res, 201).await.items.into_iter().map(|e| e.id));
    }
    panic!("the storage never filled up");
}

/// A hash-only document.
fn document(text: &str) -> Value {
    json!({ "kind": "document", "content_hash": Hash::of(text.as_bytes()) })
}

/// Makes the database unable to grow beyond its current size.
async fn limit_to_current_size(app: &TestApp, limit: &PageLimit) {
    let pages = app.db().await.integers("PRAGMA page_count").await[0];
    limit.set(Some(u64::try_from(pages).unwrap()));
}

#[actix_web::test]
async fn a_full_database_is_503_storage_full_until_space_returns_then_writing_resumes_by_itself() {
    let limit = PageLimit::default();
    let app = TestApp::spawn_with(|s| s.page_limit = limit.clone()).await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let mut acknowledged = vec![app.register(b"before the disk filled").await.id];
    limit_to_current_size(&app, &limit).await;

    let refused = fill(&app, &mut acknowledged, 200, document).await;
    assert_eq!(refused.headers().get("retry-after").map(|v| v.to_str().unwrap()), Some("5"));
    assert_eq!(problem(refused).await, (503, "storage_full".to_owned()));
    // The writer is not wedged into another kind of failure: the next write is refused alike.
    let res = fill(&app, &mut acknowledged, 200, document).await;
    assert_eq!(res.headers().get("retry-after").map(|v| v.to_str().unwrap()), Some("5"));
    assert_eq!(problem(res).await, (503, "storage_full".to_owned()));
    // Not ready, and saying why; reads still answer.
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status(), 503);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!((&ready["database_writable"], &ready["writes_refused"]), (&json!(false), &json!("storage_full")));
    assert_eq!(app.evidence(acknowledged[0], &key).await.id, acknowledged[0]);

    limit.set(None);
    let one = json!({ "kind": "document", "content_hash": Hash::of(b"with space again") });
    let resumed: Evidence = wait_until(Duration::from_secs(10), async || {
        let res = app.post_json("/v1/evidence", Some(&key), &one).await;
        match res.status().as_u16() {
            201 => Ok(expect::<Evidence>(res, 201).await),
            _ => Err(format!("{:?}", problem(res).await)),
        }
    })
    .await;
    acknowledged.push(resumed.id);
    wait_until(Duration::from_secs(10), async || match app.get("/readyz", None).await.status().as_u16() {
        200 => Ok(()),
        other => Err(format!("/readyz {other} with space again")),
    })
    .await;

    // Nothing acknowledged was lost, nothing refused was written, and all of it is anchored.
    app.anchored_receipt(resumed.id, &key).await;
    assert_eq!(app.evidence_count().await, acknowledged.len() as u64);
    for id in &acknowledged {
        assert_eq!(app.evidence(id, &key).await.status, Status::Anchored, "{id}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_stop_while_the_database_is_full_still_seals_what_was_acknowledged() {
    let limit = PageLimit::default();
    // Nothing is sealed before the stop: the final seal does it all.
    let app = TestApp::spawn_with(|s| {
        s.page_limit = limit.clone();
        s.seal_interval_ms = 600_000;
    })
    .await;
    let mut acknowledged = vec![app.register(b"acknowledged before the disk filled").await.id];
    limit_to_current_size(&app, &limit).await;
    assert_eq!(problem(fill(&app, &mut acknowledged, 200, document).await).await.1, "storage_full");

    let data = app.stop().await;
    let store = crate::support::backend::store_of(data.path()).await;
    let written = store.max_seq().await.unwrap().map_or(0, |s| s + 1);
    assert_eq!(written, acknowledged.len() as u64, "what was acknowledged, and nothing else");
    let sealed = store.latest_block().await.unwrap().map_or(0, |b| b.end_seq());
    assert_eq!(sealed, written, "every acknowledged record is sealed at the stop");
}
