//! `GET /healthz`, `GET /readyz`, `GET /v1/witnesses`, `GET /metrics`.

use std::time::Duration;

use actix_web::{HttpResponse, web};

use crate::audit::schedule::{AuditStatus, SharedAuditStatus};
use crate::domain::Timestamp;
use crate::metrics::Metrics;
use crate::problem::Problem;
use crate::seal::{SharedStatus, WitnessStatus};
use crate::store::Store;

/// A sealer that has not run a round for this long is reported as not running.
pub struct SealerLiveness(pub Duration);

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/v1/witnesses", web::get().to(witnesses))
        .route("/metrics", web::get().to(metrics));
}

/// `GET /healthz`: always `ok` while the process answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
}

/// The process is alive.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "Alive.", body = Health, example = json!({ "status": "ok" }))),
)]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// `GET /readyz`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `database_writable && sealer_running && fork == null`.
    ready: bool,
    database_writable: bool,
    sealer_running: bool,
    /// What a witness reported as a fork; null when none was detected.
    fork: Option<String>,
    witnesses: Vec<WitnessView>,
    audit: AuditStatus,
}

/// The witnesses as operators see them.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WitnessList {
    witnesses: Vec<WitnessView>,
}

/// Ready = database writable, sealer running, no fork detected. Witness and audit state are
/// shown but do not make the service unready.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready.", body = Readiness, example = json!(super::openapi::examples::readiness(true))),
        (status = 503, description = "Not ready: the same body, `ready: false`.", body = Readiness,
            example = json!(super::openapi::examples::readiness(false))),
    ),
)]
async fn readyz(
    store: web::Data<Store>,
    status: web::Data<SharedStatus>,
    liveness: web::Data<SealerLiveness>,
    audit: web::Data<SharedAuditStatus>,
) -> Result<HttpResponse, Problem> {
    let writable = store.writable().await;
    let (sealer_running, fork) = {
        let s = status.lock().expect("status lock");
        (s.last_round.is_some_and(|t| t.elapsed() < liveness.0), s.fork.clone())
    };
    let witnesses = witness_view(&store, &status).await?;
    let ready = writable && sealer_running && fork.is_none();
    let audit = audit.lock().expect("audit status lock").clone();
    let body = Readiness { ready, database_writable: writable, sealer_running, fork, witnesses, audit };
    Ok(if ready { HttpResponse::Ok() } else { HttpResponse::ServiceUnavailable() }.json(body))
}

/// The configured witnesses: role, reachable, last height co-signed, lag, last refusal and error.
#[utoipa::path(
    get,
    path = "/v1/witnesses",
    tag = "operations",
    responses((status = 200, description = "One entry per configured witness.", body = WitnessList,
        example = json!({ "witnesses": [super::openapi::examples::witness()] }))),
)]
async fn witnesses(store: web::Data<Store>, status: web::Data<SharedStatus>) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(WitnessList { witnesses: witness_view(&store, &status).await? }))
}

/// Whether this listener serves `/metrics` (not the API's when `metrics.listen` is set).
pub struct MetricsHere(pub bool);

/// The metrics, with the state gauges set from the same view as `/v1/witnesses`.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Prometheus metrics in the OpenMetrics text format.", body = String,
        content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8",
        example = "# TYPE notarium_fork_detected gauge\nnotarium_fork_detected 0\n# EOF\n")),
)]
pub(crate) async fn metrics(
    here: web::Data<MetricsHere>,
    store: web::Data<Store>,
    status: web::Data<SharedStatus>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, Problem> {
    if !here.0 {
        return Err(Problem::not_found());
    }
    for w in witness_view(&store, &status).await? {
        let label = Metrics::witness(&w.status.name);
        metrics.lag_blocks.get_or_create(&label).set(w.lag_blocks as i64);
        metrics.lag_seconds.get_or_create(&label).set(w.lag_seconds);
        metrics.reachable.get_or_create(&label).set(i64::from(w.status.reachable == Some(true)));
    }
    metrics.fork_detected.set(i64::from(status.lock().expect("status lock").fork.is_some()));
    let sealed_end = store.latest_block().await?.map_or(0, |b| b.end_seq());
    let written = store.max_seq().await?.map_or(0, |s| s + 1);
    metrics.pending_records.set(written.saturating_sub(sealed_end) as i64);
    let lag = store
        .oldest_unanchored_sealed()
        .await?
        .map_or(0.0, |t| (Timestamp::now().unix_millis() - t.unix_millis()).max(0) as f64 / 1000.0);
    metrics.anchor_lag_seconds.set(lag);
    let (open, idle) = store.pool_use();
    metrics.db_connections.set(i64::from(open));
    metrics.db_idle_connections.set(idle as i64);
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(metrics.encode()))
}

/// Each witness as operators see it: reachable, last height co-signed, lag in blocks and in
/// seconds (the age of the oldest block it has not co-signed), last refusal and error.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WitnessView {
    #[serde(flatten)]
    status: WitnessStatus,
    /// Blocks sealed that this witness has not co-signed.
    lag_blocks: u64,
    /// The age of the oldest block it has not co-signed.
    lag_seconds: f64,
}

async fn witness_view(store: &Store, status: &SharedStatus) -> Result<Vec<WitnessView>, Problem> {
    let latest = store.latest_block().await?;
    let witnesses = status.lock().expect("status lock").witnesses.clone();
    let now = Timestamp::now().unix_millis();
    let mut items = Vec::with_capacity(witnesses.len());
    for w in witnesses {
        let next = w.last_height.map_or(0, |h| h + 1);
        let lag_blocks = latest.as_ref().map_or(0, |b| (b.height + 1).saturating_sub(next));
        let lag_seconds = match lag_blocks {
            0 => 0.0,
            _ => store.block(next).await?.map_or(0.0, |b| (now - b.sealed.unix_millis()).max(0) as f64 / 1000.0),
        };
        items.push(WitnessView { status: w, lag_blocks, lag_seconds });
    }
    Ok(items)
}
