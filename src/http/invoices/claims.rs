//! Insurers claim and withdraw; the issuing hospital voids. Each is an evidence record, applied
//! by the single writer after the ledger's rules (`domain::invoice::Ledger`) allow it.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::issue::own_invoice;
use super::views::{ClaimOut, InvoiceOut};
use super::{Applied, key_json, operation_record, path_key, record_out, require_role, run};
use crate::domain::invoice::Amount;
use crate::domain::{EvidenceId, EvidenceKind, Hash, TenantRole};
use crate::http::auth::Caller;
use crate::http::body::{parse_json, read_limited, require_json};
use crate::ingest::Ingest;
use crate::problem::Problem;
use crate::store::Store;
use crate::store::invoices::{InvoiceKey, InvoiceOp, InvoiceRow, NewClaim, VoidInvoice, Withdrawal};

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
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    payload: web::Payload,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Insurer)?;
    require_json(&req)?;
    let (issuer, code, number) = path.into_inner();
    let key = path_key(issuer, code, number)?;
    let body: ClaimIn = parse_json(&read_limited(payload, SMALL_BODY).await?)?;
    let (status, out) = claim_invoice(&store, &ingest, &caller, key, body).await?;
    Ok(HttpResponse::build(status).json(out))
}

/// The claim itself (the API and the `/invoices/claim` page): `201` and the new claim, `200`
/// and the first one for a repeat with the same reference and body, or the refusal.
pub async fn claim_invoice(
    store: &Store,
    ingest: &Ingest,
    caller: &Caller,
    key: InvoiceKey,
    body: ClaimIn,
) -> Result<(StatusCode, ClaimOut), Problem> {
    require_role(caller, TenantRole::Insurer)?;
    let amount = body.amount.parse::<Amount>().ok().filter(|a| a.0 > 0).ok_or_else(|| {
        Problem::invalid_field("/amount", "invalid_format", "more than zero, as a string like \"456.18\"")
    })?;
    let reference = body.claim_reference;
    if reference.is_empty() || reference.len() > 100 || !reference.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Problem::invalid_field("/claim_reference", "invalid_format", "1-100 visible ASCII characters"));
    }
    let mut document = key_json(&key);
    document["content_hash"] = json!(body.content_hash);
    let document = json!({ "invoice": document, "amount": amount.to_string(), "claim_reference": reference });
    let op = InvoiceOp::Claim(NewClaim { key, invoice_hash: body.content_hash, amount, reference });
    let (status, id) = match run(ingest, caller, op, operation_record(EvidenceKind::Claim, document)).await? {
        Applied::Created(record) => (StatusCode::CREATED, record.id),
        Applied::Repeated(first) => (StatusCode::OK, first),
    };
    Ok((status, claim_out(store, &id).await?))
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
    path: web::Path<(String, String, String, String)>,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Insurer)?;
    let (issuer, code, number, claim) = path.into_inner();
    let key = path_key(issuer, code, number)?;
    let claim: EvidenceId = claim.parse().map_err(|_| Problem::not_found())?;
    let document = json!({ "invoice": key_json(&key), "withdraws": claim });
    let op = InvoiceOp::Withdraw(Withdrawal { key, claim });
    run(&ingest, &caller, op, operation_record(EvidenceKind::ClaimWithdrawal, document)).await?;
    Ok(HttpResponse::Created().json(claim_out(&store, &claim).await?))
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
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    payload: web::Payload,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Hospital)?;
    require_json(&req)?;
    let row = own_invoice(&store, &caller, path.into_inner()).await?;
    let body: VoidIn = parse_json(&read_limited(payload, SMALL_BODY).await?)?;
    Ok(HttpResponse::Created().json(void_invoice(&store, &ingest, &caller, row, &body.reason).await?))
}

/// The void itself (the API and the `/invoices/void` page) of the caller's invoice `row`.
pub async fn void_invoice(
    store: &Store,
    ingest: &Ingest,
    caller: &Caller,
    row: InvoiceRow,
    reason: &str,
) -> Result<InvoiceOut, Problem> {
    require_role(caller, TenantRole::Hospital)?;
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err(Problem::invalid_field("/reason", "invalid_format", "1-500 characters, no control characters"));
    }
    let original = record_out(store, row.evidence_seq).await?;
    let document = json!({
        "invoice": key_json(&row.key),
        "voids": { "evidence": original.id, "content_hash": row.content_hash },
        "reason": reason,
    });
    let op = InvoiceOp::Void(VoidInvoice { key: row.key.clone(), reason });
    run(ingest, caller, op, operation_record(EvidenceKind::InvoiceVoid, document)).await?;
    let row = store.invoice(&row.key).await?.ok_or_else(Problem::not_found)?;
    Ok(InvoiceOut::new(&row, original))
}

/// The claim as its insurer sees it now.
async fn claim_out(store: &Store, id: &EvidenceId) -> Result<ClaimOut, Problem> {
    let claim = store.claim(id).await?.ok_or_else(|| anyhow::anyhow!("the claim just written is missing"))?;
    let invoice = store.invoice(&claim.key).await?.ok_or_else(|| anyhow::anyhow!("a claim's invoice is missing"))?;
    let withdrawal = match claim.withdrawal_seq {
        Some(seq) => Some(record_out(store, seq).await?),
        None => None,
    };
    let evidence = record_out(store, claim.evidence_seq).await?;
    Ok(ClaimOut::new(&claim, invoice.ledger.remaining().to_string(), evidence, withdrawal))
}
