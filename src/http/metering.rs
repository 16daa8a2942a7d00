//! Request metrics: a count by method, route pattern and status, and latency by route.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::metrics::{Metrics, RequestLabels, RouteLabels};

pub async fn meter(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    // Any token is a method to actix: unknown ones share one label.
    let method = match req.method().as_str() {
        m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => m.to_owned(),
        _ => "other".to_owned(),
    };
    let res = next.call(req).await?;
    if let Some(metrics) = metrics {
        // Unmatched paths share one label, so that scanning URLs cannot grow the metrics.
        let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
        let status = res.status().as_u16();
        metrics.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
        metrics.request_seconds.get_or_create(&RouteLabels { method, route }).observe(started.elapsed().as_secs_f64());
    }
    Ok(res)
}
