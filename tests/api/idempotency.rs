//! `Idempotency-Key`: a repeat returns the first result; another body is `409`.

use notarium::domain::{Hash, TenantRole};
use serde_json::{Value, json};

use crate::support::{Evidence, TestApp, expect, problem};

#[actix_web::test]
async fn a_repeated_key_returns_the_first_result_and_another_body_conflicts() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant);
    let send = |body: Value, idem: &'static str| {
        app.http.post(app.url("/v1/evidence")).bearer_auth(key).header("Idempotency-Key", idem).json(&body).send()
    };
    let body = json!({"kind": "document", "content_hash": Hash::of(b"once")});
    let first: Evidence = expect(send(body.clone(), "k-1").await.unwrap(), 201).await;
    let again: Evidence = expect(send(body.clone(), "k-1").await.unwrap(), 201).await;
    assert_eq!(again.id, first.id);
    assert_eq!(app.evidence_count().await, 1);

    let other = json!({"kind": "document", "content_hash": Hash::of(b"twice")});
    assert_eq!(problem(send(other, "k-1").await.unwrap()).await, (409, "idempotency_key_reused".into()));
    assert_eq!(app.evidence_count().await, 1);

    // Keys belong to a tenant: the same key from another tenant is a new request.
    let res = app
        .http
        .post(app.url("/v1/evidence"))
        .bearer_auth(app.key(TenantRole::Hospital))
        .header("Idempotency-Key", "k-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(app.evidence_count().await, 2);

    // Batches too, all at once, even when sent concurrently.
    let items = json!({"items": [{"kind": "image", "content_hash": Hash::of(b"a")}, {"kind": "image", "content_hash": Hash::of(b"b")}]});
    let send_batch = || {
        app.http
            .post(app.url("/v1/evidence/batch"))
            .bearer_auth(key)
            .header("Idempotency-Key", "b-1")
            .json(&items)
            .send()
    };
    let (a, b) = tokio::join!(send_batch(), send_batch());
    let (a, b): (Value, Value) = (a.unwrap().json().await.unwrap(), b.unwrap().json().await.unwrap());
    assert_eq!(a["items"][0]["id"], b["items"][0]["id"]);
    assert_eq!(app.evidence_count().await, 4);
    app.stop().await;
}

#[actix_web::test]
async fn keyed_requests_under_concurrency_all_succeed() {
    // A transaction that began with the idempotency read used to fail with SQLITE_BUSY when the
    // sealer wrote in between; it now takes the write lock up front.
    let app = TestApp::spawn_with(|s| s.seal_interval_ms = 5).await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let mut tasks = Vec::new();
    for t in 0..32 {
        let (http, url, key) = (app.http.clone(), app.url("/v1/evidence"), key.clone());
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for i in 0..25 {
                let body = json!({"kind": "document", "content_hash": Hash::of(format!("{t}/{i}").as_bytes())});
                let res = http
                    .post(&url)
                    .bearer_auth(&key)
                    .header("Idempotency-Key", format!("key-{t}-{i}"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                statuses.push(res.status().as_u16());
            }
            statuses
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap().iter().all(|s| *s == 201));
    }
    assert_eq!(app.evidence_count().await, 32 * 25);
    app.stop().await;
}
