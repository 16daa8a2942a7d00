//! `GET /v1/evidence/{id}/receipt` and `GET /v1/evidence/{id}/receipt.zip`: `200` with the
//! receipt (JSON, or the zip bundle) once anchored, else `202` with the evidence and
//! `Retry-After: 1`; `?wait=N` (0–30 s) long-polls; `?disclose=none` leaves the metadata out.
//! Both forms share everything up to the answer's body.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpResponse, HttpResponseBuilder, web};
use serde::Deserialize;
use tokio::sync::watch;

use super::auth::Caller;
use super::evidence::{EvidenceOut, owned_record};
use crate::bundle::write_receipt_zip;
use crate::domain::Receipt;
use crate::problem::Problem;
use crate::receipts::receipt_for;
use crate::store::Store;

/// Changes whenever a block gets anchored (the sealer holds the sender).
#[derive(Clone)]
pub struct AnchorSignal(pub watch::Receiver<u64>);

/// The longest `?wait=` a client may ask for, in seconds.
pub const MAX_WAIT_SECONDS: u64 = 30;

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
    id: web::Path<String>,
    query: web::Query<ReceiptQuery>,
    store: web::Data<Store>,
    signal: web::Data<AnchorSignal>,
) -> Result<HttpResponse, Problem> {
    Ok(match anchored_receipt(&caller, &id, &query, &store, &signal).await? {
        Anchored::Yes(receipt) => HttpResponse::Ok().json(receipt),
        Anchored::NotYet(pending) => pending,
    })
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
    id: web::Path<String>,
    query: web::Query<ReceiptQuery>,
    store: web::Data<Store>,
    signal: web::Data<AnchorSignal>,
) -> Result<HttpResponse, Problem> {
    Ok(match anchored_receipt(&caller, &id, &query, &store, &signal).await? {
        Anchored::Yes(receipt) => download(HttpResponse::Ok(), &receipt, true)?,
        Anchored::NotYet(pending) => pending,
    })
}

/// `receipt` as a file to save: `receipt-<id>.zip` (the bundle) or `receipt-<id>.json`.
pub fn download(mut res: HttpResponseBuilder, receipt: &Receipt, zip: bool) -> anyhow::Result<HttpResponse> {
    let (content_type, ext, body) = if zip {
        ("application/zip", "zip", write_receipt_zip(receipt)?)
    } else {
        ("application/json", "json", receipt.to_json_pretty().into_bytes())
    };
    let disposition = format!("attachment; filename=\"receipt-{}.{ext}\"", receipt.evidence.id);
    Ok(res.content_type(content_type).insert_header((CONTENT_DISPOSITION, disposition)).body(body))
}

/// The receipt, or the `202` answer to give while the record is not anchored.
enum Anchored {
    Yes(Box<Receipt>),
    NotYet(HttpResponse),
}

/// What both routes share: the query, the owner check (another tenant's or an unknown id is
/// `404`), the long poll, and the `202` with the evidence and `Retry-After: 1`.
async fn anchored_receipt(
    caller: &Caller,
    id: &str,
    query: &ReceiptQuery,
    store: &Store,
    signal: &AnchorSignal,
) -> Result<Anchored, Problem> {
    let wait = match query.wait.as_deref() {
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
    let disclose = match query.disclose.as_deref() {
        None | Some("all") => true,
        Some("none") => false,
        Some(_) => return Err(Problem::new(StatusCode::BAD_REQUEST, "invalid_disclose", "disclose is all or none")),
    };
    let record = owned_record(store, caller, id).await?;
    if record.salt.is_none() {
        return Err(Problem::new(
            StatusCode::GONE,
            "content_erased",
            "the record's content and salt were erased; receipts issued before stay valid",
        ));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
    let mut changes = signal.0.clone();
    loop {
        changes.mark_unchanged();
        if let Some(receipt) = receipt_for(store, &record, disclose).await? {
            return Ok(Anchored::Yes(Box::new(receipt)));
        }
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(remaining, changes.changed()).await {
            Ok(Ok(())) => continue,
            _ => break, // the deadline passed, or the sealer stopped
        }
    }
    let evidence = EvidenceOut::of(store, record).await?;
    Ok(Anchored::NotYet(HttpResponse::Accepted().insert_header(("Retry-After", "1")).json(evidence)))
}
