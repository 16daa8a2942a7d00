//! `/invoices`: the logged-in hospital's invoices, newest first (20 per page, `?before=`), each
//! with its amounts, its claims (insurer, amount, time, withdrawn), its access log and a form to
//! void it (`POST /invoices/void`, the service's void like the API's). The invoice body is never shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::verdict_word;
use crate::domain::TenantRole;
use crate::domain::invoice::Amount;
use crate::ingest::Ingest;
use crate::pages::i18n::Messages;
use crate::pages::{Frame, PageError, Visitor, caller_with_role, render};
use crate::service::invoices::{self, InvoiceDetails, InvoiceError, InvoiceState, VoidError, invoice_key};
use crate::store::Store;

/// Invoices per page.
const PAGE: u32 = 20;

struct ClaimLine {
    insurer: String,
    amount: Amount,
    claimed: String,
    withdrawn: Option<String>,
}

struct CheckLine {
    insurer: String,
    checked: String,
    verdict: &'static str,
}

/// An invoice as its hospital sees it on the page.
struct InvoiceView {
    issuer: String,
    code: String,
    number: String,
    issued: String,
    record_id: String,
    record_status: &'static str,
    voided: bool,
    void_reason: Option<String>,
    currency: String,
    total: Amount,
    reimbursable: Amount,
    claimed: Amount,
    remaining: Amount,
    signed_by: Option<String>,
    erased: Option<String>,
    claims: Vec<ClaimLine>,
    checks: Vec<CheckLine>,
    /// Not voided and no claim active.
    can_void: bool,
}

#[derive(Template)]
#[template(path = "invoices.html")]
struct Invoices {
    frame: Frame,
    invoices: Vec<InvoiceView>,
    older: Option<u64>,
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    before: Option<u64>,
}

#[derive(Deserialize)]
pub(super) struct VoidForm {
    csrf: Option<String>,
    issuer: Option<String>,
    invoice_code: Option<String>,
    invoice_number: Option<String>,
    reason: Option<String>,
}

pub(super) async fn list(
    visitor: Visitor,
    query: web::Query<ListQuery>,
    store: web::Data<Store>,
) -> Result<HttpResponse, PageError> {
    let caller = caller_with_role(&visitor, TenantRole::Hospital, "/invoices")?;
    let details = match invoices::list_details(&store, &caller, query.before, PAGE).await {
        Ok(details) => details,
        Err(e) => return Err(list_refusal(&visitor, e)),
    };
    let older = (details.len() == PAGE as usize).then(|| details.last().map(|d| d.invoice.row.evidence_seq)).flatten();
    let invoices = details.into_iter().map(|d| invoice_view(visitor.t(), d)).collect();
    render(&visitor, StatusCode::OK, &Invoices { frame: Frame::of(&visitor, "/invoices"), invoices, older })
}

/// Voids one of the hospital's invoices through the API's operation, then back to the list;
/// a refusal (claims still active, already voided) is a page in words.
pub(super) async fn void(
    visitor: Visitor,
    form: web::Form<VoidForm>,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
) -> Result<HttpResponse, PageError> {
    let caller = caller_with_role(&visitor, TenantRole::Hospital, "/invoices")?;
    visitor.check_csrf(form.csrf.as_deref())?;
    let form = form.into_inner();
    let key = invoice_key(
        form.issuer.unwrap_or_default(),
        form.invoice_code.unwrap_or_default(),
        form.invoice_number.unwrap_or_default(),
    );
    let voided = match key {
        Some(key) => invoices::void(&store, &ingest, &caller, &key, form.reason.as_deref().unwrap_or_default()).await,
        None => Err(VoidError::NotFound),
    };
    match voided {
        Ok(_) => Ok(visitor.redirect("/invoices").finish()),
        Err(e) => Err(void_refusal(&visitor, e)),
    }
}

/// Why the hospital's invoices could not be listed, as the error page.
fn list_refusal(visitor: &Visitor, e: InvoiceError) -> PageError {
    match e {
        InvoiceError::RoleForbidden { .. } => {
            PageError::new(visitor.lang, StatusCode::FORBIDDEN, visitor.t().only_hospitals)
        }
        InvoiceError::NotFound => PageError::not_found(visitor.lang),
        InvoiceError::Internal(cause) => PageError::internal(visitor.lang, &cause),
    }
}

/// Why a void was refused, in words (claims still active, already voided); a server fault is
/// the error page.
fn void_refusal(visitor: &Visitor, e: VoidError) -> PageError {
    let t = visitor.t();
    let (status, words) = match e {
        VoidError::RoleForbidden { .. } => (StatusCode::FORBIDDEN, t.only_hospitals.to_owned()),
        VoidError::NotFound => (StatusCode::NOT_FOUND, t.refused_not_found.to_owned()),
        VoidError::InvalidReason => (StatusCode::UNPROCESSABLE_ENTITY, t.refused_reason.to_owned()),
        VoidError::Voided => (StatusCode::CONFLICT, t.explain_voided.to_owned()),
        VoidError::Claimed { active } => (StatusCode::CONFLICT, format!("{} {active}", t.refused_claimed)),
        VoidError::Internal(cause) => return PageError::internal(visitor.lang, &cause),
    };
    PageError::new(visitor.lang, status, words)
}

/// What the page shows of an invoice: everything but its body (which holds the payer).
fn invoice_view(t: &'static Messages, d: InvoiceDetails) -> InvoiceView {
    let InvoiceDetails { invoice: InvoiceState { row, record }, body: _, void, claims, checks } = d;
    let voided = row.ledger.voided;
    let claims: Vec<ClaimLine> = claims
        .into_iter()
        .map(|c| ClaimLine {
            insurer: c.insurer_name,
            amount: c.amount,
            claimed: c.claimed.to_string(),
            withdrawn: c.withdrawn.map(|w| w.to_string()),
        })
        .collect();
    InvoiceView {
        can_void: !voided && claims.iter().all(|c| c.withdrawn.is_some()),
        issuer: row.key.issuer,
        code: row.key.code,
        number: row.key.number,
        issued: record.record.received.to_string(),
        record_id: record.record.id.to_string(),
        record_status: t.status(record.status),
        voided,
        void_reason: void.map(|(reason, _)| reason),
        currency: row.currency,
        total: row.total,
        reimbursable: row.ledger.reimbursable,
        claimed: row.ledger.claimed,
        remaining: row.ledger.remaining(),
        signed_by: row.signer,
        erased: row.erased.map(|e| e.to_string()),
        claims,
        checks: checks
            .into_iter()
            .map(|c| CheckLine {
                insurer: c.insurer,
                checked: c.checked.to_string(),
                verdict: verdict_word(t, &c.verdict),
            })
            .collect(),
    }
}
