//! Rate limits and quotas: per tenant (requests and bytes) and per client IP on the anonymous
//! routes answer `429 rate_limited` with `Retry-After`, and recover; other tenants are not
//! affected.

use std::future::Future;
use std::time::Duration;

use notarium::config::{FailedAuthLimit, Quota};
use notarium::domain::{Hash, TenantRole};
use serde_json::json;

use crate::support::{TestApp, problem, wait_until};

const UNLIMITED: Quota = Quota { requests_per_second: 0, burst_requests: 0, bytes_per_second: 0, burst_bytes: 0 };

/// Polls `request` until it no longer answers 429, with a deadline.
async fn recovers<F, Fut>(request: F) -> u16
where
    F: Fn() -> Fut,
    Fut: Future<Output = reqwest::Response>,
{
    wait_until(Duration::from_secs(10), async || match request().await.status().as_u16() {
        429 => Err("still 429"),
        status => Ok(status),
    })
    .await
}

#[tokio::test]
async fn a_tenant_over_its_request_rate_gets_429_with_retry_after_and_recovers() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limits.merchant = Quota { requests_per_second: 1, burst_requests: 2, ..UNLIMITED };
    })
    .await;
    let merchant = app.key(TenantRole::Merchant).to_owned();
    let list = || app.get("/v1/evidence?limit=1", Some(&merchant));
    assert_eq!(list().await.status(), 200);
    assert_eq!(list().await.status(), 200);
    let refused = list().await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    assert_eq!(problem(refused).await, (429, "rate_limited".into()));

    // Another tenant has its own budget; the merchant's comes back.
    let hospital = app.key(TenantRole::Hospital).to_owned();
    assert_eq!(app.get("/v1/evidence?limit=1", Some(&hospital)).await.status(), 200);
    assert_eq!(recovers(list).await, 200);

    let text = app.get("/metrics", Some(app.key(TenantRole::Admin))).await.text().await.unwrap();
    let refused = crate::support::metric(&text, "notarium_rate_limited_total{scope=\"tenant\"}");
    assert!(refused >= Some(1.0), "{text}");
}

#[tokio::test]
async fn a_tenant_over_its_byte_rate_gets_429() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limits.merchant = Quota { bytes_per_second: 100, burst_bytes: 400, ..UNLIMITED };
    })
    .await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let body = json!({ "kind": "document", "content_hash": Hash::of(b"a"), "metadata": { "note": "x".repeat(200) } });
    assert_eq!(app.post_json("/v1/evidence", Some(&key), &body).await.status(), 201);
    let refused = app.post_json("/v1/evidence", Some(&key), &body).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // Nothing was written for the refused request.
    assert_eq!(app.evidence_count().await, 1);
}

#[tokio::test]
async fn anonymous_routes_are_limited_per_client_ip() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limits.anonymous_per_ip = Quota { requests_per_second: 1, burst_requests: 1, ..UNLIMITED };
    })
    .await;
    let not_a_receipt = json!({ "format": "not a receipt" });
    let verify = || app.post_json("/v1/verify", None, &not_a_receipt);
    assert_eq!(verify().await.status(), 422);
    let refused = verify().await;
    assert_eq!((refused.status().as_u16(), refused.headers().contains_key("retry-after")), (429, true));
    assert_eq!(recovers(verify).await, 422);
    // Percent-encoding reaches the same handler, so it shares the same (now spent) budget.
    let encoded = app.post_json("/v1/%76erify", None, &not_a_receipt).await;
    assert_eq!(encoded.status(), 429, "an encoded path must not escape the per-IP limit");
    // The login and search pages share the per-IP budget; tenants' API routes do not.
    assert_eq!(app.get("/login", None).await.status(), 429);
    assert_eq!(app.get("/search", None).await.status(), 429);
    let key = app.key(TenantRole::Merchant).to_owned();
    assert_eq!(app.get("/v1/evidence", Some(&key)).await.status(), 200);
}

#[tokio::test]
async fn unknown_api_keys_are_limited_per_client_address() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limits.failed_auth_per_ip = FailedAuthLimit { failures: 3, window_seconds: 3600 };
    })
    .await;
    for n in 0..3 {
        let res = app.get("/v1/evidence", Some(&format!("ntk_guess{n}"))).await;
        assert_eq!(problem(res).await, (401, "invalid_api_key".into()), "failure {n}");
    }
    let refused = app.get("/v1/evidence", Some("ntk_guess3")).await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(problem(refused).await, (429, "rate_limited".into()));
    // A request without a key is not a failed authentication, and a good key still works.
    assert_eq!(problem(app.get("/v1/evidence", None).await).await, (401, "missing_api_key".into()));
    assert_eq!(app.get("/v1/evidence", Some(app.key(TenantRole::Merchant))).await.status(), 200);
}
