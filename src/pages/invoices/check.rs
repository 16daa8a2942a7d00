//! `/invoices/check`: an insurer pastes the invoice JSON or uploads its file (multipart, at
//! most 1 MiB) and gets the verdict in words, the amounts, the times of earlier claims (never
//! another insurer's name), whether the hospital signed it and whether its content was
//! erased; when authentic, a one-click claim form posting to `/invoices/claim`, which runs the
//! service's claim like the API. The pasted text is not shown back.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::verdict_word;
use crate::domain::canonical::StrictJson;
use crate::domain::invoice::Amount;
use crate::domain::{TenantId, TenantRole};
use crate::http::body::media_type;
use crate::http::multipart::{Field, Part, Sent, Spec, read};
use crate::ingest::Ingest;
use crate::pages::i18n::{Lang, Messages};
use crate::pages::{Frame, PageError, Visitor, caller_with_role, render};
use crate::problem::Problem;
use crate::service::Caller;
use crate::service::invoices::{
    self, CheckError, Checked, ClaimError, ClaimRequest, ClaimState, Claimed, MAX_INVOICE_BYTES, Verdict, invoice_key,
};
use crate::store::Store;

const PATH: &str = "/invoices/check";

/// The check's answer as shown.
struct ResultView {
    verdict_code: &'static str,
    verdict: &'static str,
    explanation: &'static str,
    issuer: String,
    code: String,
    number: String,
    found: Option<FoundView>,
}

/// What an authentic or voided invoice shows.
struct FoundView {
    issued: String,
    record_status: &'static str,
    signed_by: Option<String>,
    erased: bool,
    voided: Option<String>,
    currency: String,
    reimbursable: Amount,
    claimed: Amount,
    remaining: Amount,
    claims: Vec<SeenClaim>,
}

/// An active claim: when and how much; whose only when it is the viewer's own.
struct SeenClaim {
    claimed: String,
    amount: Amount,
    yours: bool,
}

/// The one-click claim form (`templates/invoice_claim_form.html`).
#[derive(Clone)]
struct ClaimForm {
    issuer: String,
    code: String,
    number: String,
    content_hash: String,
    amount: String,
    reference: String,
}

/// A claim the writer recorded.
struct ClaimedView {
    id: String,
    issuer: String,
    code: String,
    number: String,
    amount: String,
    reference: String,
    claimed: String,
    remaining: String,
    /// The same reference and amount were claimed before: this is that first claim.
    repeated: bool,
}

#[derive(Template)]
#[template(path = "invoice_check.html")]
struct CheckPage {
    frame: Frame,
    result: Option<ResultView>,
    claim_form: Option<ClaimForm>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "invoice_claim.html")]
struct ClaimPage {
    frame: Frame,
    claimed: Option<ClaimedView>,
    refusal: Option<String>,
    /// After a refusal that a corrected amount or a new reference can fix.
    claim_form: Option<ClaimForm>,
}

#[derive(Deserialize)]
pub(super) struct ClaimFields {
    csrf: Option<String>,
    issuer: Option<String>,
    invoice_code: Option<String>,
    invoice_number: Option<String>,
    content_hash: Option<String>,
    amount: Option<String>,
    claim_reference: Option<String>,
}

pub(super) async fn form(visitor: Visitor) -> Result<HttpResponse, PageError> {
    caller_with_role(&visitor, TenantRole::Insurer, PATH)?;
    check_page(&visitor, StatusCode::OK, None, None, None)
}

pub(super) async fn submit(
    req: HttpRequest,
    visitor: Visitor,
    payload: web::Payload,
    store: web::Data<Store>,
    unknown_log: web::Data<invoices::UnknownLog>,
) -> Result<HttpResponse, PageError> {
    let caller = caller_with_role(&visitor, TenantRole::Insurer, PATH)?;
    if media_type(&req) != "multipart/form-data" {
        return Err(PageError::bad_form(visitor.lang, "multipart/form-data expected"));
    }
    let form = read_check_form(&req, payload).await.map_err(|p| PageError::from_problem(visitor.lang, p))?;
    visitor.check_csrf(form.csrf.as_deref())?;
    let t = visitor.t();
    let Some(invoice) = form.invoice else {
        return check_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, None, None, Some(t.check_missing.to_owned()));
    };
    let value = match serde_json::from_slice::<StrictJson>(&invoice) {
        Ok(StrictJson(value)) => value,
        Err(e) => {
            let error = format!("{}: {e}", t.check_unreadable);
            return check_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, None, None, Some(error));
        }
    };
    match invoices::check(&store, &caller, &value, &unknown_log).await {
        Ok(checked) => {
            let claim_form = claim_form_for(visitor.lang, &checked)?;
            check_page(&visitor, StatusCode::OK, Some(result_view(t, checked, &caller.0.id)), claim_form, None)
        }
        Err(e) => {
            let error = check_refusal(&visitor, e)?;
            check_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, None, None, Some(error))
        }
    }
}

/// Why an invoice could not be checked, in words; a server fault is the error page.
fn check_refusal(visitor: &Visitor, e: CheckError) -> Result<String, PageError> {
    let t = visitor.t();
    match e {
        CheckError::RoleForbidden { .. } => Err(PageError::new(visitor.lang, StatusCode::FORBIDDEN, t.only_insurers)),
        CheckError::Invalid(field) => Ok(format!("{}: {}: {}", t.check_unreadable, field.pointer, field.message)),
        CheckError::Internal(cause) => Err(PageError::internal(visitor.lang, &cause)),
    }
}

/// Claims through the service's claim (as the API does); the outcome in words, and the form again (the remaining
/// amount, or a new reference) when that fixes the refusal.
pub(super) async fn claim(
    visitor: Visitor,
    fields: web::Form<ClaimFields>,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
) -> Result<HttpResponse, PageError> {
    let caller = caller_with_role(&visitor, TenantRole::Insurer, PATH)?;
    visitor.check_csrf(fields.csrf.as_deref())?;
    let f = fields.into_inner();
    let text = |v: Option<String>| v.unwrap_or_default().trim().to_owned();
    let submitted = ClaimForm {
        issuer: text(f.issuer),
        code: text(f.invoice_code),
        number: text(f.invoice_number),
        content_hash: text(f.content_hash),
        amount: text(f.amount),
        reference: text(f.claim_reference),
    };
    let page = match claim_with(&store, &ingest, &caller, &submitted).await {
        Ok(Claimed { claim, repeated }) => ClaimPage {
            frame: Frame::of(&visitor, PATH),
            claimed: Some(claimed_view(claim, repeated)),
            refusal: None,
            claim_form: None,
        },
        Err(e) => {
            let (status, words, again) = claim_refusal(&visitor, e, submitted)?;
            let page =
                ClaimPage { frame: Frame::of(&visitor, PATH), claimed: None, refusal: Some(words), claim_form: again };
            return render(&visitor, status, &page);
        }
    };
    render(&visitor, StatusCode::OK, &page)
}

/// Why a claim was refused, in words, with the form again when a corrected amount or a new
/// reference fixes it; a server fault is the error page.
fn claim_refusal(
    visitor: &Visitor,
    e: ClaimError,
    submitted: ClaimForm,
) -> Result<(StatusCode, String, Option<ClaimForm>), PageError> {
    let t = visitor.t();
    Ok(match e {
        ClaimError::RoleForbidden { .. } => {
            return Err(PageError::new(visitor.lang, StatusCode::FORBIDDEN, t.only_insurers));
        }
        ClaimError::InvalidAmount => (StatusCode::UNPROCESSABLE_ENTITY, t.refused_amount.to_owned(), Some(submitted)),
        ClaimError::InvalidReference => {
            (StatusCode::UNPROCESSABLE_ENTITY, t.refused_bad_reference.to_owned(), Some(submitted))
        }
        ClaimError::NotFound => (StatusCode::NOT_FOUND, t.refused_not_found.to_owned(), None),
        ClaimError::Voided => (StatusCode::CONFLICT, t.explain_voided.to_owned(), None),
        ClaimError::Exceeds { remaining } => {
            let again = (remaining.0 > 0).then(|| ClaimForm { amount: remaining.to_string(), ..submitted });
            (StatusCode::CONFLICT, format!("{} {remaining}", t.refused_exceeds), again)
        }
        ClaimError::ReferenceReused => {
            let again = ClaimForm { reference: new_reference(visitor.lang)?, ..submitted };
            (StatusCode::CONFLICT, t.refused_reference.to_owned(), Some(again))
        }
        ClaimError::Internal(cause) => return Err(PageError::internal(visitor.lang, &cause)),
    })
}

fn check_page(
    visitor: &Visitor,
    status: StatusCode,
    result: Option<ResultView>,
    claim_form: Option<ClaimForm>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    render(visitor, status, &CheckPage { frame: Frame::of(visitor, PATH), result, claim_form, error })
}

/// The check form as read: its CSRF token and the invoice, from the file when one was chosen,
/// else from the text area; blank counts as not given.
struct CheckForm {
    csrf: Option<String>,
    invoice: Option<Vec<u8>>,
}

async fn read_check_form(req: &HttpRequest, payload: web::Payload) -> Result<CheckForm, Problem> {
    let fields = [
        Field::new("csrf", Part::Bytes { max: 128, what: "the invoice" }),
        Field::new("invoice", Part::Bytes { max: MAX_INVOICE_BYTES, what: "the invoice" }),
        Field::new("file", Part::Bytes { max: MAX_INVOICE_BYTES, what: "the invoice" }),
    ];
    let spec = Spec { fields: &fields, takes: "invoice and file", blobs: None, csrf: None };
    let mut form = read(req, payload, &spec).await?;
    let mut bytes = |name| form.take(name).and_then(Sent::into_bytes);
    let csrf = bytes("csrf").map(|b| String::from_utf8_lossy(&b).into_owned());
    let (pasted, file) = (bytes("invoice"), bytes("file"));
    let given = |b: &Vec<u8>| !b.iter().all(u8::is_ascii_whitespace);
    let invoice = file.filter(given).or_else(|| pasted.filter(given));
    Ok(CheckForm { csrf, invoice })
}

/// The form's claim: the key and hash read like the API reads a path (malformed is an unknown
/// invoice), then the service's claim.
async fn claim_with(store: &Store, ingest: &Ingest, caller: &Caller, f: &ClaimForm) -> Result<Claimed, ClaimError> {
    let key = invoice_key(f.issuer.clone(), f.code.clone(), f.number.clone()).ok_or(ClaimError::NotFound)?;
    let content_hash = f.content_hash.parse().map_err(|_| ClaimError::NotFound)?;
    let request = ClaimRequest::parse(content_hash, &f.amount, f.reference.clone())?;
    invoices::claim(store, ingest, caller, key, request).await
}

/// The claim form for an authentic invoice with something left to claim: the remaining
/// amount and a fresh reference.
fn claim_form_for(lang: Lang, checked: &Checked) -> Result<Option<ClaimForm>, PageError> {
    let Some(found) = checked.found.as_ref().filter(|_| checked.verdict == Verdict::Authentic) else {
        return Ok(None);
    };
    let remaining = found.row.ledger.remaining();
    if remaining.0 == 0 {
        return Ok(None);
    }
    Ok(Some(ClaimForm {
        issuer: checked.key.issuer.clone(),
        code: checked.key.code.clone(),
        number: checked.key.number.clone(),
        content_hash: found.row.content_hash.to_string(),
        amount: remaining.to_string(),
        reference: new_reference(lang)?,
    }))
}

/// A claim reference for the form: `WEB-` and 12 random hex digits.
fn new_reference(lang: Lang) -> Result<String, PageError> {
    let mut bytes = [0u8; 6];
    openssl::rand::rand_bytes(&mut bytes)
        .map_err(|e| PageError::internal(lang, &anyhow::Error::new(e).context("a random claim reference")))?;
    Ok(format!("WEB-{}", hex::encode_upper(bytes)))
}

fn result_view(t: &'static Messages, checked: Checked, insurer: &TenantId) -> ResultView {
    let explanation = match checked.verdict {
        Verdict::Authentic => t.explain_authentic,
        Verdict::Altered => t.explain_altered,
        Verdict::Unknown => t.explain_unknown,
        Verdict::Voided => t.explain_voided,
    };
    let found = checked.found.map(|f| FoundView {
        issued: f.issued.to_string(),
        record_status: t.status(f.status),
        signed_by: f.row.signer,
        erased: f.row.erased.is_some(),
        voided: f.voided.map(|v| v.to_string()),
        currency: f.row.currency,
        reimbursable: f.row.ledger.reimbursable,
        claimed: f.row.ledger.claimed,
        remaining: f.row.ledger.remaining(),
        claims: f
            .claims
            .into_iter()
            .map(|c| SeenClaim { claimed: c.claimed.to_string(), amount: c.amount, yours: c.insurer == *insurer })
            .collect(),
    });
    ResultView {
        verdict_code: checked.verdict.as_str(),
        verdict: verdict_word(t, checked.verdict.as_str()),
        explanation,
        issuer: checked.key.issuer,
        code: checked.key.code,
        number: checked.key.number,
        found,
    }
}

fn claimed_view(state: ClaimState, repeated: bool) -> ClaimedView {
    let c = state.claim;
    ClaimedView {
        id: c.id.to_string(),
        issuer: c.key.issuer,
        code: c.key.code,
        number: c.key.number,
        amount: c.amount.to_string(),
        reference: c.reference,
        claimed: c.claimed.to_string(),
        remaining: state.remaining.to_string(),
        repeated,
    }
}
