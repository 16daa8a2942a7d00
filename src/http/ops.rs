//! `GET /healthz`, `GET /readyz`, `GET /v1/witnesses`.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::domain::Timestamp;
use crate::problem::Problem;
use crate::seal::SharedStatus;
use crate::store::Store;

/// A sealer that has not run a round for this long is reported as not running.
pub struct SealerLiveness(pub Duration);

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/v1/witnesses", web::get().to(witnesses));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready = database writable, sealer running, no fork detected. Witness state is shown but
/// does not make the service unready.
async fn readyz(
    store: web::Data<Store>,
    status: web::Data<SharedStatus>,
    liveness: web::Data<SealerLiveness>,
) -> Result<HttpResponse, Problem> {
    let writable = store.writable().await;
    let (sealer_running, fork) = {
        let s = status.lock().expect("status lock");
        (s.last_round.is_some_and(|t| t.elapsed() < liveness.0), s.fork.clone())
    };
    let witnesses = witness_view(&store, &status).await?;
    let ready = writable && sealer_running && fork.is_none();
    let body = json!({
        "ready": ready, "database_writable": writable, "sealer_running": sealer_running,
        "fork": fork, "witnesses": witnesses,
    });
    Ok(if ready { HttpResponse::Ok() } else { HttpResponse::ServiceUnavailable() }.json(body))
}

async fn witnesses(store: web::Data<Store>, status: web::Data<SharedStatus>) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(json!({ "witnesses": witness_view(&store, &status).await? })))
}

/// Each witness as operators see it: reachable, last height co-signed, lag in blocks and in
/// seconds (the age of the oldest block it has not co-signed), last refusal and error.
async fn witness_view(store: &Store, status: &SharedStatus) -> Result<Vec<serde_json::Value>, Problem> {
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
        items.push(json!({
            "name": w.name, "role": w.role, "reachable": w.reachable, "last_height": w.last_height,
            "lag_blocks": lag_blocks, "lag_seconds": lag_seconds, "last_contact": w.last_contact,
            "last_refusal": w.last_refusal, "refusals": w.refusals, "last_error": w.last_error,
            "retry_in_ms": w.retry_in_ms,
        }));
    }
    Ok(items)
}
