//! Issuing an invoice (hospital), listing and reading the hospital's own, erasing a body.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::views::{InvoiceDetail, InvoiceOut};
use super::{InvoicePath, require_role};
use crate::crypto::document_signature::DocumentAnchors;
use crate::domain::TenantRole;
use crate::domain::canonical::StrictJson;
use crate::http::auth::Caller;
use crate::http::body::JsonBody;
use crate::http::evidence::ListQuery;
use crate::ingest::Ingest;
use crate::problem::Problem;
use crate::service::invoices::{self, MAX_INVOICE_BYTES};
use crate::store::Store;

/// Issues an invoice under the caller's issuer code: validated, hashed as canonical JSON,
/// stored and registered as an `invoice` record.
#[utoipa::path(
    post,
    path = "/v1/invoices",
    tag = "invoices",
    security(("api_key" = [])),
    params(("Invoice-Signature" = Option<String>, Header, max_length = 16384,
        description = "Base64 of a detached CMS SignedData (DER; SHA-256 with ECDSA) over the invoice's RFC 8785 \
            canonical JSON, by a certificate enrolled for this hospital (`notarium admin tenant cert add`) whose key \
            usage allows digitalSignature or nonRepudiation and that chains to the hospital document-signing anchors \
            (setting `hospital_trust`; the witnesses' anchors do not count). Verified, recorded, and shown to insurers as `signed_by`.")),
    request_body(content = Object, description = "The invoice (docs/invoices.md, docs/invoice.schema.json).",
        example = json!(crate::http::openapi::examples::invoice())),
    responses((status = 201, description = "The invoice, `issued`; its record `pending`.", body = InvoiceOut,
        example = json!(crate::http::openapi::examples::invoice_out()))),
)]
pub(crate) async fn issue(
    req: HttpRequest,
    caller: Caller,
    body: JsonBody<StrictJson>,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
    anchors: web::Data<DocumentAnchors>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Hospital)?;
    let StrictJson(value) = body.read(MAX_INVOICE_BYTES).await?;
    let signature = req.headers().get(SIGNATURE_HEADER).map(|h| h.as_bytes());
    let issued = invoices::issue(&store, &ingest, &anchors, &caller, &value, signature).await?;
    Ok(HttpResponse::Created().json(InvoiceOut::from(issued)))
}

const SIGNATURE_HEADER: &str = "invoice-signature";

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
    let invoices = invoices::list(&store, &caller, before, limit).await?;
    let next_cursor =
        (invoices.len() == limit as usize).then(|| invoices.last().map(|i| i.row.evidence_seq.to_string())).flatten();
    let items = invoices.into_iter().map(InvoiceOut::from).collect();
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
    InvoicePath(key): InvoicePath,
    store: web::Data<Store>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Hospital)?;
    let detail = invoices::detail(&store, &caller, &key).await?;
    Ok(HttpResponse::Ok().json(InvoiceDetail::from(detail)))
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
    InvoicePath(key): InvoicePath,
    store: web::Data<Store>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Hospital)?;
    Ok(HttpResponse::Ok().json(InvoiceOut::from(invoices::erase(&store, &caller, &key).await?)))
}
