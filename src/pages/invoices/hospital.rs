//! `/invoices`: the logged-in hospital's invoices, newest first (20 per page, `?before=`), each
//! with its amounts, its claims (insurer, amount, time, withdrawn), its access log and a form to
//! void it (`POST /invoices/void`, the API's void). The invoice body is never shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{refusal_words, verdict_word};
use crate::domain::TenantRole;
use crate::http::invoices::{InvoiceDetail, invoice_detail, own_invoice, void_invoice};
use crate::ingest::Ingest;
use crate::pages::i18n::Messages;
use crate::pages::{Frame, PageError, Visitor, caller_with_role, render};
use crate::store::Store;

/// Invoices per page.
const PAGE: u32 = 20;

struct ClaimLine {
    insurer: String,
    amount: String,
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
    total: String,
    reimbursable: String,
    claimed: String,
    remaining: String,
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
    let rows =
        store.invoices_of(&caller.0.id, query.before, PAGE).await.map_err(|e| PageError::internal(visitor.lang, &e))?;
    let older = (rows.len() == PAGE as usize).then(|| rows.last().map(|r| r.evidence_seq)).flatten();
    let mut invoices = Vec::with_capacity(rows.len());
    for row in rows {
        let detail = invoice_detail(&store, row).await.map_err(|p| PageError::from_problem(visitor.lang, p))?;
        invoices.push(invoice_view(visitor.t(), detail));
    }
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
    let path = (
        form.issuer.unwrap_or_default(),
        form.invoice_code.unwrap_or_default(),
        form.invoice_number.unwrap_or_default(),
    );
    let voided = match own_invoice(&store, &caller, path).await {
        Ok(row) => void_invoice(&store, &ingest, &caller, row, form.reason.as_deref().unwrap_or_default()).await,
        Err(p) => Err(p),
    };
    match voided {
        Ok(_) => Ok(visitor.redirect("/invoices").finish()),
        Err(p) => {
            let (status, words) = refusal_words(&visitor, p)?;
            Err(PageError::new(visitor.lang, status, words))
        }
    }
}

/// What the page shows of an invoice: everything but its body (which holds the payer).
fn invoice_view(t: &'static Messages, d: InvoiceDetail) -> InvoiceView {
    let InvoiceDetail { invoice: i, body: _, void, claims, checks } = d;
    let voided = i.status == "voided";
    let claims: Vec<ClaimLine> = claims
        .into_iter()
        .map(|c| ClaimLine {
            insurer: c.insurer,
            amount: c.amount,
            claimed: c.claimed.to_string(),
            withdrawn: c.withdrawn.map(|w| w.to_string()),
        })
        .collect();
    InvoiceView {
        can_void: !voided && claims.iter().all(|c| c.withdrawn.is_some()),
        issuer: i.issuer,
        code: i.invoice_code,
        number: i.invoice_number,
        issued: i.evidence.received.to_string(),
        record_id: i.evidence.id.to_string(),
        record_status: t.status(i.evidence.status),
        voided,
        void_reason: void.map(|v| v.reason),
        currency: i.currency,
        total: i.total,
        reimbursable: i.reimbursable,
        claimed: i.claimed,
        remaining: i.remaining,
        signed_by: i.signed_by,
        erased: i.content_erased.map(|e| e.to_string()),
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
