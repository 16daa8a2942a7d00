//! `GET /healthz`, `GET /readyz`, `GET /v1/witnesses`, `GET /metrics`.

use actix_web::{FromRequest, HttpRequest, HttpResponse, web};

use crate::audit::schedule::SharedAuditStatus;
use crate::domain::TenantRole;
use crate::http::auth::{Caller, require_role};
use crate::ingest::Ingest;
use crate::metrics::Metrics;
use crate::problem::Problem;
use crate::seal::SharedStatus;
use crate::service::ops::{self, Readiness, WitnessLag};
use crate::store::Store;

pub use crate::service::ops::SealerLiveness;

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

/// The witnesses as operators see them.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WitnessList {
    witnesses: Vec<WitnessLag>,
}

/// Ready = this node can commit (its last write, or a probe that needs space), its sealer ran
/// within 10 × `seal_interval_ms`, no fork detected. Witness and audit state are shown but do
/// not make the service unready.
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
    ingest: web::Data<Ingest>,
    status: web::Data<SharedStatus>,
    liveness: web::Data<SealerLiveness>,
    audit: web::Data<SharedAuditStatus>,
) -> Result<HttpResponse, Problem> {
    let body = ops::readiness(&store, ingest.health(), &status, &liveness, &audit).await?;
    Ok(if body.ready { HttpResponse::Ok() } else { HttpResponse::ServiceUnavailable() }.json(body))
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
    Ok(HttpResponse::Ok().json(WitnessList { witnesses: ops::witnesses(&store, &status).await? }))
}

/// Who may read `/metrics` on this listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsAccess {
    /// The API's listener: an `admin` tenant's API key (`401`/`403` otherwise).
    AdminKey,
    /// The listener of its own (`metrics.listen`): no credential.
    Open,
    /// The API's listener when `metrics.listen` is set: `404`.
    Elsewhere,
}

/// The metrics, with the state gauges set from the same view as `/v1/witnesses`.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    security(("api_key" = [])),
    responses((status = 200, description = "Prometheus metrics in the OpenMetrics text format.", body = String,
        content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8",
        example = "# TYPE notarium_fork_detected gauge\nnotarium_fork_detected 0\n# EOF\n")),
)]
pub(crate) async fn metrics(
    req: HttpRequest,
    access: web::Data<MetricsAccess>,
    store: web::Data<Store>,
    status: web::Data<SharedStatus>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, Problem> {
    match **access {
        MetricsAccess::Elsewhere => return Err(Problem::not_found()),
        MetricsAccess::AdminKey => require_role(&Caller::extract(&req).await?, TenantRole::Admin)?,
        MetricsAccess::Open => {}
    }
    ops::refresh_gauges(&store, &status, &metrics).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(metrics.encode()))
}
