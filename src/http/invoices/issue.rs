//! Issuing an invoice (hospital), listing and reading the hospital's own, erasing a body.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::views::{CheckView, HospitalClaimView, InvoiceDetail, InvoiceOut, VoidOut};
use super::{Applied, key_json, operation_record, path_key, record_out, require_role, run};
use crate::domain::canonical::{StrictJson, canonical_json};
use crate::domain::invoice::Invoice;
use base64::Engine;

use crate::crypto::TrustStore;
use crate::crypto::document_signature::check_detached;
use crate::domain::{EvidenceKind, Hash, TenantRole, Timestamp};
use crate::http::auth::Caller;
use crate::http::body::{parse_json, read_limited, require_json};
use crate::http::evidence::ListQuery;
use crate::ingest::Ingest;
use crate::problem::{FieldError, Problem};
use crate::store::Store;
use crate::store::invoices::{Erasure, InvoiceKey, InvoiceOp, InvoiceRow, NewInvoice};

/// An invoice body: 1,000 lines of 200-character texts fit easily.
pub const MAX_INVOICE_BYTES: usize = 1 << 20;

/// Issues an invoice under the caller's issuer code: validated, hashed as canonical JSON,
/// stored and registered as an `invoice` record.
#[utoipa::path(
    post,
    path = "/v1/invoices",
    tag = "invoices",
    security(("api_key" = [])),
    params(("Invoice-Signature" = Option<String>, Header, max_length = 16384,
        description = "Base64 of a detached CMS SignedData (DER; SHA-256 with ECDSA) over the invoice's RFC 8785 \
            canonical JSON, by a certificate enrolled for this hospital (`notarium admin tenant cert add`) that \
            chains to the service's trust anchors. Verified, recorded, and shown to insurers as `signed_by`.")),
    request_body(content = Object, description = "The invoice (docs/invoices.md, docs/invoice.schema.json).",
        example = json!(crate::http::openapi::examples::invoice())),
    responses((status = 201, description = "The invoice, `issued`; its record `pending`.", body = InvoiceOut,
        example = json!(crate::http::openapi::examples::invoice_out()))),
)]
pub(crate) async fn issue(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
    trust: web::Data<TrustStore>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Hospital)?;
    require_json(&req)?;
    let body = read_limited(payload, MAX_INVOICE_BYTES).await?;
    let StrictJson(value) = parse_json(&body)?;
    let invoice = Invoice::parse(&value).map_err(|errors| {
        Problem::invalid(
            errors
                .into_iter()
                .map(|e| FieldError { pointer: e.pointer, code: e.code.into(), message: e.message })
                .collect(),
        )
    })?;
    if caller.0.issuer_code.as_deref() != Some(invoice.issuer.as_str()) {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "issuer_not_yours",
            "a hospital issues invoices only under its own issuer code",
        ));
    }
    let key = InvoiceKey { issuer: invoice.issuer, code: invoice.invoice_code, number: invoice.invoice_number };
    let canonical = canonical_json(&value);
    let content_hash = Hash::of(&canonical);
    let signature = match req.headers().get(SIGNATURE_HEADER) {
        Some(header) => Some(hospital_signature(header.as_bytes(), &canonical, &caller, &store, &trust).await?),
        None => None,
    };
    let new = NewInvoice {
        key: key.clone(),
        currency: invoice.currency,
        total: invoice.total,
        reimbursable: invoice.reimbursable,
        body: String::from_utf8(canonical).map_err(|e| anyhow::anyhow!(e))?,
        signature,
    };
    let mut record = operation_record(EvidenceKind::Invoice, key_json(&key));
    record.content_hash = content_hash;
    let Applied::Created(created) = run(&ingest, &caller, InvoiceOp::Issue(new), record).await? else {
        return Err(Problem::internal(&anyhow::anyhow!("an issuance was answered as a repeated claim")));
    };
    let row = store.invoice(&key).await?.ok_or_else(|| anyhow::anyhow!("the issued invoice is missing"))?;
    let evidence =
        crate::http::evidence::EvidenceOut::with_status(created, crate::domain::EvidenceStatus::Pending, None);
    Ok(HttpResponse::Created().json(InvoiceOut::new(&row, evidence)))
}

const SIGNATURE_HEADER: &str = "invoice-signature";

/// Checks the `Invoice-Signature` header: the DER and the signer's subject, or `422
/// invalid_signature` saying why.
async fn hospital_signature(
    header: &[u8],
    canonical: &[u8],
    caller: &Caller,
    store: &Store,
    trust: &TrustStore,
) -> Result<(Vec<u8>, String), Problem> {
    let refuse = |why: String| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_signature", why);
    if header.len() > 16 << 10 {
        return Err(refuse("Invoice-Signature is limited to 16 KiB of base64".into()));
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(header)
        .map_err(|e| refuse(format!("Invoice-Signature is not base64: {e}")))?;
    let signer = check_detached(&der, canonical, &trust.anchors_for(None), Timestamp::now()).map_err(refuse)?;
    let enrolled = store.tenant_by_client_cert(&signer.fingerprint).await?;
    if enrolled.is_none_or(|t| t.id != caller.0.id) {
        return Err(refuse(format!(
            "the signing certificate ({}) is not enrolled for this hospital (notarium admin tenant cert add)",
            signer.subject
        )));
    }
    Ok((der, signer.subject))
}

/// One page of the hospital's invoices, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvoicePage {
    pub items: Vec<InvoiceOut>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// The caller's invoices, newest first.
#[utoipa::path(
    get,
    path = "/v1/invoices",
    tag = "invoices",
    security(("api_key" = [])),
    params(ListQuery),
    responses((status = 200, description = "One page.", body = InvoicePage,
        example = json!({ "items": [crate::http::openapi::examples::invoice_out()], "next_cursor": null }))),
)]
pub(crate) async fn list(
    caller: Caller,
    query: web::Query<ListQuery>,
    store: web::Data<Store>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Hospital)?;
    let (before, limit) = query.page()?;
    let rows = store.invoices_of(&caller.0.id, before, limit).await?;
    let next_cursor = (rows.len() == limit as usize).then(|| rows.last().map(|r| r.evidence_seq.to_string())).flatten();
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        items.push(InvoiceOut::new(row, record_out(&store, row.evidence_seq).await?));
    }
    Ok(HttpResponse::Ok().json(InvoicePage { items, next_cursor }))
}

/// One of the caller's invoices with its body, claims, void and access log; another
/// hospital's is `404` like an unknown one.
#[utoipa::path(
    get,
    path = "/v1/invoices/{issuer}/{code}/{number}",
    tag = "invoices",
    security(("api_key" = [])),
    params(("issuer" = String, Path), ("code" = String, Path), ("number" = String, Path)),
    responses((status = 200, description = "The invoice.", body = InvoiceDetail, example = json!(crate::http::openapi::examples::invoice_detail()))),
)]
pub(crate) async fn detail(
    caller: Caller,
    path: web::Path<(String, String, String)>,
    store: web::Data<Store>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Hospital)?;
    let row = own_invoice(&store, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(invoice_detail(&store, row).await?))
}

/// Everything the issuing hospital sees of an invoice (the API and the `/invoices` page).
pub async fn invoice_detail(store: &Store, row: InvoiceRow) -> Result<InvoiceDetail, Problem> {
    let claims = store
        .claims_of(&row.key)
        .await?
        .into_iter()
        .map(|c| HospitalClaimView {
            id: c.id,
            insurer: c.insurer_name,
            amount: c.amount.to_string(),
            claimed: c.claimed,
            withdrawn: c.withdrawn,
        })
        .collect();
    let checks = store.checks_of(&row.key, 100).await?.into_iter().map(CheckView::from).collect();
    let void = match (row.void_seq, &row.void_reason) {
        (Some(seq), Some(reason)) => Some(VoidOut { reason: reason.clone(), evidence: record_out(store, seq).await? }),
        _ => None,
    };
    let body = row.body.as_deref().map(serde_json::from_str).transpose().map_err(|e| anyhow::anyhow!(e))?;
    let invoice = InvoiceOut::new(&row, record_out(store, row.evidence_seq).await?);
    Ok(InvoiceDetail { invoice, body, void, claims, checks })
}

/// Erases the stored invoice body and the salt of its record. The leaf hash stays in its
/// block, so receipts already issued stay valid; no new receipt can be made.
#[utoipa::path(
    delete,
    path = "/v1/invoices/{issuer}/{code}/{number}/content",
    tag = "invoices",
    security(("api_key" = [])),
    params(("issuer" = String, Path), ("code" = String, Path), ("number" = String, Path)),
    responses((status = 200, description = "The invoice, with `content_erased` set (also when it already was).",
        body = InvoiceOut, example = json!(crate::http::openapi::examples::invoice_out()))),
)]
pub(crate) async fn erase(
    caller: Caller,
    path: web::Path<(String, String, String)>,
    store: web::Data<Store>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Hospital)?;
    let (issuer, code, number) = path.into_inner();
    let key = path_key(issuer, code, number)?;
    match store.erase_invoice(&key, &caller.0.id).await? {
        Erasure::NotFound => return Err(Problem::not_found()),
        Erasure::Erased => tracing::info!(issuer = %key.issuer, "an invoice's content was erased"),
        Erasure::AlreadyErased => {}
    }
    let row = store.invoice(&key).await?.ok_or_else(Problem::not_found)?;
    Ok(HttpResponse::Ok().json(InvoiceOut::new(&row, record_out(&store, row.evidence_seq).await?)))
}

/// The caller's invoice named by the path; `404` for an unknown or another hospital's.
pub async fn own_invoice(
    store: &Store,
    caller: &Caller,
    (issuer, code, number): (String, String, String),
) -> Result<InvoiceRow, Problem> {
    let key = path_key(issuer, code, number)?;
    store.invoice(&key).await?.filter(|r| r.hospital == caller.0.id).ok_or_else(Problem::not_found)
}
