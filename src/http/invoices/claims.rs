//! Insurers claim and withdraw; the issuing hospital voids. Each is an evidence record, applied
//! by the single writer after the ledger's rules (`domain::invoice::Ledger`) allow it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::views::{ClaimOut, InvoiceOut};
use super::{InvoicePath, require_role};
use crate::domain::{EvidenceId, Hash, TenantRole};
use crate::http::auth::Caller;
use crate::http::body::JsonBody;
use crate::ingest::Ingest;
use crate::problem::Problem;
use crate::service::invoices::{self, ClaimRequest};
use crate::store::Store;

const SMALL_BODY: usize = 4096;

/// A claim of part of the invoice's reimbursable amount.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimIn {
    /// The invoice's content hash (from a check): a claim names the exact invoice it pays.
    pub content_hash: Hash,
    /// Exact cents as a string, more than zero.
    #[schema(value_type = String, pattern = "^(0|[1-9][0-9]{0,14})\\.[0-9]{2}$", example = "456.18")]
    pub amount: String,
    /// The insurer's own reference, 1-100 visible ASCII characters: a repeat with the same
    /// body returns the first claim.
    #[schema(min_length = 1, max_length = 100, example = "CLM-2026-000187")]
    pub claim_reference: String,
}

/// The claim named by the withdrawal route.
#[derive(Debug, Deserialize)]
pub(crate) struct ClaimAt {
    claim_id: String,
}

/// Why the invoice is voided.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidIn {
    /// 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500, example = "issued twice in error")]
    reason: String,
}

/// Claims `amount` of the invoice for the calling insurer, atomically: never past
/// `reimbursable`, never on a voided invoice.
#[utoipa::path(
    post,
    path = "/v1/invoices/{issuer}/{code}/{number}/claims",
    tag = "invoices",
    security(("api_key" = [])),
    params(("issuer" = String, Path), ("code" = String, Path), ("number" = String, Path)),
    request_body(content = ClaimIn, example = json!({ "content_hash": crate::http::openapi::examples::HASH,
        "amount": "456.18", "claim_reference": "CLM-2026-000187" })),
    responses(
        (status = 201, description = "The claim; its record `pending`.", body = ClaimOut,
            example = json!(crate::http::openapi::examples::claim_out())),
        (status = 200, description = "The first claim with this reference and body (a repeat).", body = ClaimOut,
            example = json!(crate::http::openapi::examples::claim_out())),
    ),
)]
pub(crate) async fn claim(
    caller: Caller,
    InvoicePath(key): InvoicePath,
    body: JsonBody<ClaimIn>,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Insurer)?;
    let body = body.read(SMALL_BODY).await?;
    let request = ClaimRequest::parse(body.content_hash, &body.amount, body.claim_reference)?;
    let claimed = invoices::claim(&store, &ingest, &caller, key, request).await?;
    let status = if claimed.repeated { StatusCode::OK } else { StatusCode::CREATED };
    Ok(HttpResponse::build(status).json(ClaimOut::from(claimed.claim)))
}

/// Withdraws the caller's claim: its amount is claimable again.
#[utoipa::path(
    post,
    path = "/v1/invoices/{issuer}/{code}/{number}/claims/{claim_id}/withdraw",
    tag = "invoices",
    security(("api_key" = [])),
    params(("issuer" = String, Path), ("code" = String, Path), ("number" = String, Path),
        ("claim_id" = String, Path, description = "The claim's id.")),
    responses((status = 201, description = "The claim, `withdrawn` set, with its withdrawal record.", body = ClaimOut,
        example = json!(crate::http::openapi::examples::claim_out()))),
)]
pub(crate) async fn withdraw(
    caller: Caller,
    InvoicePath(key): InvoicePath,
    claim: web::Path<ClaimAt>,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Insurer)?;
    let claim: EvidenceId = claim.claim_id.parse().map_err(|_| Problem::not_found())?;
    Ok(HttpResponse::Created().json(ClaimOut::from(invoices::withdraw(&store, &ingest, &caller, key, claim).await?)))
}

/// Voids the caller's invoice (while no claim is active): an `invoice-void` record referencing
/// the invoice's record.
#[utoipa::path(
    post,
    path = "/v1/invoices/{issuer}/{code}/{number}/void",
    tag = "invoices",
    security(("api_key" = [])),
    params(("issuer" = String, Path), ("code" = String, Path), ("number" = String, Path)),
    request_body(content = VoidIn, example = json!({ "reason": "issued twice in error" })),
    responses((status = 201, description = "The invoice, `voided`.", body = InvoiceOut, example = json!(crate::http::openapi::examples::invoice_out()))),
)]
pub(crate) async fn void(
    caller: Caller,
    InvoicePath(key): InvoicePath,
    body: JsonBody<VoidIn>,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Hospital)?;
    let body = body.read(SMALL_BODY).await?;
    Ok(HttpResponse::Created()
        .json(InvoiceOut::from(invoices::void(&store, &ingest, &caller, &key, &body.reason).await?)))
}
