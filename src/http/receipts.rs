//! `GET /v1/evidence/{id}/receipt` and `GET /v1/evidence/{id}/receipt.zip`: `200` with the
//! receipt (JSON, or the zip bundle) once anchored, else `202` with the evidence and
//! `Retry-After: 1`; `?wait=N` (0–30 s) long-polls; `?disclose=none` leaves the metadata out.
//! Both forms share everything up to the answer's body.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::auth::Caller;
use super::download::download;
use super::evidence::EvidenceOut;
use super::invalid_query;
use crate::domain::{EvidenceId, Receipt};
use crate::problem::Problem;
use crate::service::receipts::{MAX_WAIT_SECONDS, ReceiptError, ReceiptRequest, ReceiptState, receipt, receipt_file};
use crate::store::Store;

pub use crate::service::receipts::AnchorSignal;

/// Registers the receipt routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/evidence/{id}/receipt", web::get().to(receipt_json))
        .route("/v1/evidence/{id}/receipt.zip", web::get().to(receipt_zip));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ReceiptQuery {
    /// Long-poll: wait up to this many seconds (0 to 30) for the record to be anchored.
    #[param(value_type = Option<u64>, minimum = 0, maximum = 30)]
    wait: Option<String>,
    /// `none` leaves the metadata out of the receipt (it stays committed through `meta_hash`).
    #[param(value_type = Option<super::openapi::Disclose>, inline)]
    disclose: Option<String>,
}

/// The receipt once the record is anchored; before, `202` with the record and `Retry-After: 1`.
#[utoipa::path(
    get,
    path = "/v1/evidence/{id}/receipt",
    tag = "receipts",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The evidence id (UUIDv7)."), ReceiptQuery),
    responses(
        (status = 200, description = "The receipt (docs/formats.md).", body = Receipt,
            example = json!(super::openapi::examples::receipt())),
        (status = 202, description = "Not anchored yet: the record. Ask again after `Retry-After` seconds.",
            body = EvidenceOut, headers(("Retry-After" = u32, description = "Seconds: 1.")),
            example = json!(super::openapi::examples::evidence_out())),
    ),
)]
async fn receipt_json(
    caller: Caller,
    req: HttpRequest,
    store: web::Data<Store>,
    signal: web::Data<AnchorSignal>,
) -> Result<HttpResponse, Problem> {
    answer(&caller, &req, &store, &signal, false).await
}

/// The receipt bundle (receipt, VERIFY.txt, certificates) once anchored; same `202` before.
#[utoipa::path(
    get,
    path = "/v1/evidence/{id}/receipt.zip",
    tag = "receipts",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The evidence id (UUIDv7)."), ReceiptQuery),
    responses(
        (status = 200, description = "The zip bundle (docs/formats.md §7).", content_type = "application/zip",
            body = Vec<u8>, headers(("Content-Disposition" = String, description = "attachment; filename=\"receipt-<id>.zip\""))),
        (status = 202, description = "Not anchored yet: the record. Ask again after `Retry-After` seconds.",
            body = EvidenceOut, headers(("Retry-After" = u32, description = "Seconds: 1.")),
            example = json!(super::openapi::examples::evidence_out())),
    ),
)]
async fn receipt_zip(
    caller: Caller,
    req: HttpRequest,
    store: web::Data<Store>,
    signal: web::Data<AnchorSignal>,
) -> Result<HttpResponse, Problem> {
    answer(&caller, &req, &store, &signal, true).await
}

/// What both routes share: the query, the owner check (another tenant's or an unknown id is
/// `404`), the long poll, and the `202` with the evidence and `Retry-After: 1`.
async fn answer(
    caller: &Caller,
    req: &HttpRequest,
    store: &Store,
    signal: &AnchorSignal,
    zip: bool,
) -> Result<HttpResponse, Problem> {
    let query = web::Query::<ReceiptQuery>::from_query(req.query_string()).map_err(invalid_query)?;
    let request = query.request()?;
    let id = req.match_info().get("id").unwrap_or_default();
    let id: EvidenceId = id.parse().map_err(|_| Problem::not_found())?;
    Ok(match receipt(store, signal, caller, &id, request).await? {
        ReceiptState::Anchored(receipt) if zip => download(HttpResponse::Ok(), receipt_file(&receipt, true)?),
        ReceiptState::Anchored(receipt) => HttpResponse::Ok().json(receipt),
        ReceiptState::NotYet(state) => {
            HttpResponse::Accepted().insert_header(("Retry-After", "1")).json(EvidenceOut::from(*state))
        }
    })
}

impl ReceiptQuery {
    /// `?wait=` (a whole number of seconds, 0 to 30) and `?disclose=` (`all` or `none`).
    fn request(&self) -> Result<ReceiptRequest, Problem> {
        let wait = match self.wait.as_deref() {
            None => 0,
            Some(w) => w
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| w.parse::<u64>().ok())
                .flatten()
                .filter(|w| *w <= MAX_WAIT_SECONDS)
                .ok_or_else(|| {
                    Problem::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_wait",
                        format!("wait is a whole number of seconds from 0 to {MAX_WAIT_SECONDS}"),
                    )
                })?,
        };
        let disclose = match self.disclose.as_deref() {
            None | Some("all") => true,
            Some("none") => false,
            Some(_) => {
                return Err(Problem::new(StatusCode::BAD_REQUEST, "invalid_disclose", "disclose is all or none"));
            }
        };
        Ok(ReceiptRequest { wait: Duration::from_secs(wait), disclose })
    }
}

impl From<ReceiptError> for Problem {
    fn from(e: ReceiptError) -> Self {
        match e {
            ReceiptError::NotFound => Problem::not_found(),
            ReceiptError::Erased => Problem::new(StatusCode::GONE, "content_erased", e.to_string()),
            ReceiptError::Internal(e) => Problem::internal(&e),
        }
    }
}
