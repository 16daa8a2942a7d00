//! Errors at the HTTP boundary: `application/problem+json` (RFC 9457) with a stable `code`.
//!
//! Client errors say exactly what is wrong. Server errors are logged with their whole cause
//! chain and shown to the client as a bare "internal error" with a request id: never the
//! internal message.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Map, Value};

pub use crate::domain::FieldError;

/// An error response.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// The stable machine code, e.g. `invalid_field`.
    pub code: &'static str,
    pub detail: String,
    /// For `422 invalid_field`: one entry per field.
    pub errors: Vec<FieldError>,
    /// Further members specific to the code (e.g. `last_signed_height` for `fork`).
    pub extra: Map<String, Value>,
    /// Seconds for a `Retry-After` header (`429 rate_limited`).
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into(), errors: Vec::new(), extra: Map::new(), retry_after: None }
    }

    /// `400 malformed_body`: the body is not well-formed (JSON syntax, multipart framing).
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_body", detail)
    }

    /// `422 invalid_field` with one entry per field.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.pointer, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        Self { errors, ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", detail) }
    }

    /// `422 invalid_field` for one field.
    pub fn invalid_field(pointer: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError { pointer: pointer.into(), code: code.into(), message: message.into() }])
    }

    /// `404 not_found`; the same body for an unknown id and for another tenant's record.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    /// `413 too_large`.
    pub fn too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", detail)
    }

    /// `500 internal_error`: logs `cause` with its chain; the client sees only a request id.
    /// A submission refused by a fork halt is `503 log_halted`; a storage fault ([`crate::store::fault_of`]) is `503` with `Retry-After` instead:
    /// `storage_full` when no space is left, `storage_unavailable` otherwise.
    pub fn internal(cause: &anyhow::Error) -> Self {
        if let Some(halted) = cause.chain().find_map(|c| c.downcast_ref::<crate::ingest::LogHalted>()) {
            tracing::warn!("refused: {halted}");
            return Self::log_halted();
        }
        if let Some(fault) = crate::store::fault_of(cause) {
            tracing::warn!("storage fault ({}): {cause:#}", fault.code());
            return Self::storage(fault);
        }
        let id = uuid::Uuid::now_v7().simple().to_string();
        tracing::error!(request_error_id = %id, "internal error: {cause:#}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", format!("internal error; reference {id}"))
    }

    /// `503 log_halted`: a witness refused with `fork`; no new evidence until the operator
    /// restores the database (docs/operations.md, "A fork"). Nothing was written.
    pub fn log_halted() -> Self {
        let detail = "the log is halted after a fork; no new evidence is accepted until the operator resolves it";
        Self { retry_after: Some(60), ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "log_halted", detail) }
    }

    /// `503 storage_full` (`Retry-After: 5`: space takes a while to come back) or `503
    /// storage_unavailable` (`Retry-After: 1`); nothing was written.
    pub fn storage(fault: crate::store::Fault) -> Self {
        let (problem, seconds) = match fault {
            crate::store::Fault::Full => {
                let detail = "the storage is full; try again later (with the same Idempotency-Key)";
                (Self::new(StatusCode::SERVICE_UNAVAILABLE, "storage_full", detail), 5)
            }
            crate::store::Fault::Unavailable => {
                let detail = "the storage is unavailable for the moment; try again (with the same Idempotency-Key)";
                (Self::new(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", detail), 1)
            }
        };
        Self { retry_after: Some(seconds), ..problem }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("type".into(), format!("/docs/errors#{}", self.code).into());
        body.insert("title".into(), self.status.canonical_reason().unwrap_or("Error").into());
        body.insert("status".into(), self.status.as_u16().into());
        body.insert("detail".into(), self.detail.clone().into());
        body.insert("code".into(), self.code.into());
        if !self.errors.is_empty() {
            body.insert("errors".into(), serde_json::to_value(&self.errors).expect("field errors serialise"));
        }
        body.extend(self.extra.clone());
        Value::Object(body)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.body(self.body().to_string())
    }
}

impl From<anyhow::Error> for Problem {
    fn from(e: anyhow::Error) -> Self {
        Self::internal(&e)
    }
}
