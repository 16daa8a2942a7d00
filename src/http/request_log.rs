//! One log line per request, as fields: `request_id`, `tenant`, `method`, `route` (the route
//! pattern, never the raw path), `status`, `latency_ms`. The path, query string, headers
//! (credentials) and bodies are never logged.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

/// The response header carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";

pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = uuid::Uuid::now_v7().simple().to_string();
    let method = req.method().clone();
    let mut res = next.call(req).await?;
    // A path that matched no route may carry anything (ids, hashes): only patterns are logged.
    let route = res.request().match_pattern().unwrap_or_else(|| "-".to_owned());
    let tenant = res.request().extensions().get::<crate::domain::TenantId>().map(|t| t.to_string());
    let status = res.status().as_u16();
    let latency_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    tracing::info!(
        request_id = %id,
        tenant = tenant.as_deref().unwrap_or("-"),
        method = %method,
        route = %route,
        status,
        latency_ms,
        "request"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HeaderName::from_static(REQUEST_ID), value);
    }
    Ok(res)
}
