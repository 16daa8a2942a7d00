//! `/metrics` moves with traffic: requests by route and status, latency, evidence by kind,
//! pending records, seal duration and block size, anchoring lag, database pool; and it can be
//! served on a listener of its own.

use notarium::domain::TenantRole;

use crate::support::{TestApp, metric, problem};

async fn scrape(app: &TestApp) -> String {
    let res = app.get("/metrics", Some(app.key(TenantRole::Admin))).await;
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

#[tokio::test]
async fn metrics_move_with_traffic() {
    let app = TestApp::spawn().await;
    let before = scrape(&app).await;
    let created = r#"notarium_http_requests_total{method="POST",route="/v1/evidence",status="201"}"#;
    let documents = r#"notarium_evidence_records_total{kind="document"}"#;
    assert_eq!(metric(&before, created), None, "{before}");

    let key = app.key(TenantRole::Merchant).to_owned();
    let mut ids = Vec::new();
    for i in 0..3u8 {
        ids.push(app.register(&[i]).await.id.to_string());
    }
    assert_eq!(app.get("/v1/evidence/not-an-id", Some(&key)).await.status(), 404);
    for id in &ids {
        app.anchored_receipt(id, &key).await;
    }

    let after = scrape(&app).await;
    assert_eq!(metric(&after, created), Some(3.0), "{after}");
    assert_eq!(metric(&after, documents), Some(3.0), "{after}");
    let not_found = r#"notarium_http_requests_total{method="GET",route="/v1/evidence/{id}",status="404"}"#;
    assert_eq!(metric(&after, not_found), Some(1.0), "the route pattern, not the raw path: {after}");
    let latency = r#"notarium_http_request_seconds_count{method="POST",route="/v1/evidence"}"#;
    assert_eq!(metric(&after, latency), Some(3.0), "{after}");
    assert!(metric(&after, "notarium_seal_seconds_count") >= Some(1.0), "{after}");
    assert!(metric(&after, "notarium_block_leaves_sum") >= Some(3.0), "{after}");
    assert_eq!(metric(&after, "notarium_pending_records"), Some(0.0), "all anchored: {after}");
    assert!(metric(&after, "notarium_anchor_lag_seconds").is_some(), "{after}");
    assert!(metric(&after, "notarium_db_pool_connections") >= Some(1.0), "{after}");
    assert!(metric(&after, "notarium_db_pool_idle_connections").is_some(), "{after}");
}

#[tokio::test]
async fn metrics_on_the_api_listener_need_an_admin_key() {
    let app = TestApp::spawn().await;
    assert_eq!(problem(app.get("/metrics", None).await).await, (401, "missing_api_key".into()));
    assert_eq!(problem(app.get("/metrics", Some("ntk_unknown")).await).await, (401, "invalid_api_key".into()));
    for role in [TenantRole::Merchant, TenantRole::Court] {
        let res = app.get("/metrics", Some(app.key(role))).await;
        assert_eq!(problem(res).await, (403, "role_not_allowed".into()), "{role}");
    }
    let res = app.get("/metrics", Some(app.key(TenantRole::Admin))).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("notarium_pending_records"));
}

#[tokio::test]
async fn metrics_can_have_a_listener_of_their_own_on_port_zero() {
    let app = TestApp::spawn_with(|s| s.metrics.listen = Some("127.0.0.1:0".parse().unwrap())).await;
    let at = std::fs::read_to_string(app.data.path().join("metrics-addr")).expect("data/metrics-addr");
    let at: std::net::SocketAddr = at.trim().parse().unwrap();
    assert_ne!(at.port(), 0);
    let admin = app.key(TenantRole::Admin).to_owned();
    assert_eq!(app.get("/metrics", Some(&admin)).await.status(), 404, "not on the API's listener");
    let res = app.http.get(format!("http://{at}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200, "no credential on its own listener");
    assert!(res.text().await.unwrap().contains("notarium_pending_records"));
    let res = app.http.get(format!("http://{at}/v1/witnesses")).send().await.unwrap();
    assert_eq!(res.status(), 404, "only /metrics there");
}
