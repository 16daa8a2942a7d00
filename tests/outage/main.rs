//! The service on PostgreSQL while its database goes away and comes back (issue 19): requests
//! meanwhile are `503 storage_unavailable` with `Retry-After`, `/readyz` is 503, and once the
//! server is back the service goes on by itself: no acknowledged record lost, none written
//! twice, every one anchored. The cluster is the test's own (`support::postgres::
//! PrivateCluster`), stopped like a crash (`pg_ctl stop -m immediate`) under load.

#[path = "../support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use notarium::domain::{Hash, TenantRole};
use serde_json::{Value, json};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use support::postgres::PrivateCluster;
use support::{TestApp, wait_until};

/// Registrations in flight at once.
const WRITERS: usize = 8;

/// What the writers saw: each idempotency key with the id it was acknowledged with.
#[derive(Default)]
struct Seen {
    acknowledged: BTreeMap<String, String>,
    unavailable: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_going_away_under_load_loses_nothing_acknowledged() {
    let Some(cluster) = PrivateCluster::start() else { return };
    let app = Arc::new(TestApp::spawn_with(|s| s.database_url = Some(cluster.url())).await);
    let key = app.key(TenantRole::Merchant).to_owned();
    let (stop, sent) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| tokio::spawn(write_until_stopped(app.clone(), key.clone(), w, stop.clone(), sent.clone())))
        .collect();

    wait_until(Duration::from_secs(30), async || match sent.load(Ordering::Relaxed) {
        n if n >= 100 => Ok(()),
        n => Err(format!("{n} records acknowledged before the outage")),
    })
    .await;
    cluster.stop(true);
    wait_until(Duration::from_secs(30), async || match app.get("/readyz", None).await.status().as_u16() {
        503 => Ok(()),
        other => Err(format!("/readyz {other} with the database down")),
    })
    .await;
    let during = sent.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(2)).await; // the outage: the writers keep trying
    assert_eq!(sent.load(Ordering::Relaxed), during, "nothing is acknowledged while the database is down");
    cluster.restart();
    wait_until(Duration::from_secs(60), async || match sent.load(Ordering::Relaxed) {
        n if n >= during + 100 => Ok(()),
        n => Err(format!("{} records acknowledged since the database came back", n - during)),
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    let mut seen = Seen::default();
    for writer in writers {
        let mine = writer.await.unwrap();
        seen.unavailable += mine.unavailable;
        seen.acknowledged.extend(mine.acknowledged);
    }
    assert!(seen.unavailable > 0, "no request met the outage");

    // Every acknowledged record is stored once, numbered densely, and anchored in the end.
    let mut db = PgConnection::connect(&cluster.url()).await.unwrap();
    let (count, next): (i64, i64) =
        sqlx::query_as("SELECT count(*), coalesce(max(seq) + 1, 0) FROM evidence").fetch_one(&mut db).await.unwrap();
    assert_eq!(count as usize, seen.acknowledged.len(), "one record per acknowledged request, none twice");
    assert_eq!(next, count, "sequence numbers without a gap");
    for id in seen.acknowledged.values() {
        let res = app.get(&format!("/v1/evidence/{id}"), Some(&key)).await;
        assert_eq!(res.status(), 200, "acknowledged record {id}");
    }
    wait_until(Duration::from_secs(90), async || {
        let anchored: i64 = sqlx::query_scalar(
            "SELECT coalesce(max(first_seq + leaf_count), 0) FROM blocks WHERE anchored_ms IS NOT NULL",
        )
        .fetch_one(&mut db)
        .await
        .map_err(|e| e.to_string())?;
        if anchored == count { Ok(()) } else { Err(format!("{anchored} of {count} records anchored")) }
    })
    .await;
    db.close().await.ok();
    Arc::try_unwrap(app).ok().expect("the writers are done").stop().await;
}

/// Registers records `w{writer}-{n}` one after another, each with its own idempotency key and
/// retried (same key) until acknowledged; a `503` must say when to retry. Stops between records.
async fn write_until_stopped(
    app: Arc<TestApp>,
    key: String,
    writer: usize,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
) -> Seen {
    let mut seen = Seen::default();
    for n in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let name = format!("w{writer}-{n}");
        let body = json!({ "kind": "document", "content_hash": Hash::of(name.as_bytes()) });
        loop {
            let res = app
                .http
                .post(app.url("/v1/evidence"))
                .bearer_auth(&key)
                .header("Idempotency-Key", &name)
                .json(&body)
                .send()
                .await
                .unwrap();
            match res.status().as_u16() {
                200 | 201 => {
                    let record: Value = res.json().await.unwrap();
                    seen.acknowledged.insert(name, record["id"].as_str().unwrap().to_owned());
                    sent.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                503 => {
                    assert!(res.headers().contains_key("retry-after"), "a 503 without Retry-After");
                    let problem: Value = res.json().await.unwrap();
                    assert_eq!(problem["code"], "storage_unavailable", "{problem}");
                    seen.unavailable += 1;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                other => panic!("registering {name}: {other} {}", res.text().await.unwrap_or_default()),
            }
        }
    }
    seen
}
