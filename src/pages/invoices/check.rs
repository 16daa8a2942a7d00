//! `/invoices/check`: an insurer pastes the invoice JSON or uploads its file (multipart, at
//! most 1 MiB) and gets the verdict in words, the amounts, the times of earlier claims (never
//! another insurer's name), whether the hospital signed it and whether its content was
//! erased; when authentic, a one-click claim form posting to `/invoices/claim`, which runs the
//! API's claim. The pasted text is not shown back.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{refusal_words, verdict_word};
use crate::domain::TenantRole;
use crate::domain::canonical::StrictJson;
use crate::domain::invoice::Amount;
use crate::http::auth::Caller;
use crate::http::body::{media_type, parse_json};
use crate::http::invoices::issue::MAX_INVOICE_BYTES;
use crate::http::invoices::{CheckOut, ClaimIn, ClaimOut, Verdict, check_invoice, claim_invoice, path_key};
use crate::http::multipart::{Field, Part, Sent, Spec, read};
use crate::ingest::Ingest;
use crate::pages::i18n::{Lang, Messages};
use crate::pages::{Frame, PageError, Visitor, caller_with_role, render};
use crate::problem::Problem;
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
    reimbursable: String,
    claimed: String,
    remaining: String,
    claims: Vec<SeenClaim>,
}

/// An active claim: when and how much; whose only when it is the viewer's own.
struct SeenClaim {
    claimed: String,
    amount: String,
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
    let checked = match parse_json::<StrictJson>(&invoice) {
        Ok(StrictJson(value)) => check_invoice(&store, &caller.0.id, &value).await,
        Err(p) => Err(p),
    };
    match checked {
        Ok(out) => {
            let claim_form = claim_form_for(visitor.lang, &out)?;
            check_page(&visitor, StatusCode::OK, Some(result_view(t, out)), claim_form, None)
        }
        Err(p) if p.status.is_client_error() => {
            let error = format!("{}: {}", t.check_unreadable, p.detail);
            check_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, None, None, Some(error))
        }
        Err(p) => Err(PageError::from_problem(visitor.lang, p)),
    }
}

/// Claims through the API's claim; the outcome in words, and the form again (the remaining
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
        Ok((status, out)) => ClaimPage {
            frame: Frame::of(&visitor, PATH),
            claimed: Some(claimed_view(out, status == StatusCode::OK)),
            refusal: None,
            claim_form: None,
        },
        Err(p) => {
            let remaining = p.extra.get("remaining").and_then(|v| v.as_str()).and_then(|r| r.parse::<Amount>().ok());
            let again = match p.code {
                "amount_exceeds_remaining" => {
                    remaining.filter(|r| r.0 > 0).map(|r| ClaimForm { amount: r.to_string(), ..submitted.clone() })
                }
                "claim_reference_reused" => {
                    Some(ClaimForm { reference: new_reference(visitor.lang)?, ..submitted.clone() })
                }
                "invalid_field" => Some(submitted.clone()),
                _ => None,
            };
            let (status, words) = refusal_words(&visitor, p)?;
            let page =
                ClaimPage { frame: Frame::of(&visitor, PATH), claimed: None, refusal: Some(words), claim_form: again };
            return render(&visitor, status, &page);
        }
    };
    render(&visitor, StatusCode::OK, &page)
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

/// The form's claim, through the API's function: the key and hash as the API reads a path.
async fn claim_with(
    store: &Store,
    ingest: &Ingest,
    caller: &Caller,
    f: &ClaimForm,
) -> Result<(StatusCode, ClaimOut), Problem> {
    let key = path_key(f.issuer.clone(), f.code.clone(), f.number.clone())?;
    let content_hash = f.content_hash.parse().map_err(|_| Problem::not_found())?;
    let body = ClaimIn { content_hash, amount: f.amount.clone(), claim_reference: f.reference.clone() };
    claim_invoice(store, ingest, caller, key, body).await
}

/// The claim form for an authentic invoice with something left to claim: the remaining
/// amount and a fresh reference.
fn claim_form_for(lang: Lang, out: &CheckOut) -> Result<Option<ClaimForm>, PageError> {
    let Some(found) = out.found.as_ref().filter(|_| out.verdict == Verdict::Authentic) else { return Ok(None) };
    if !found.remaining.parse::<Amount>().is_ok_and(|r| r.0 > 0) {
        return Ok(None);
    }
    Ok(Some(ClaimForm {
        issuer: out.issuer.clone(),
        code: out.invoice_code.clone(),
        number: out.invoice_number.clone(),
        content_hash: found.content_hash.to_string(),
        amount: found.remaining.clone(),
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

fn result_view(t: &'static Messages, out: CheckOut) -> ResultView {
    let explanation = match out.verdict {
        Verdict::Authentic => t.explain_authentic,
        Verdict::Altered => t.explain_altered,
        Verdict::Unknown => t.explain_unknown,
        Verdict::Voided => t.explain_voided,
    };
    let found = out.found.map(|f| FoundView {
        issued: f.issued.to_string(),
        record_status: t.status(f.status),
        signed_by: f.signed_by,
        erased: f.content_erased,
        voided: f.voided.map(|v| v.to_string()),
        currency: f.currency,
        reimbursable: f.reimbursable,
        claimed: f.claimed,
        remaining: f.remaining,
        claims: f
            .claims
            .into_iter()
            .map(|c| SeenClaim { claimed: c.claimed.to_string(), amount: c.amount, yours: c.id.is_some() })
            .collect(),
    });
    ResultView {
        verdict_code: out.verdict.as_str(),
        verdict: verdict_word(t, out.verdict.as_str()),
        explanation,
        issuer: out.issuer,
        code: out.invoice_code,
        number: out.invoice_number,
        found,
    }
}

fn claimed_view(out: ClaimOut, repeated: bool) -> ClaimedView {
    ClaimedView {
        id: out.id.to_string(),
        issuer: out.issuer,
        code: out.invoice_code,
        number: out.invoice_number,
        amount: out.amount,
        reference: out.claim_reference,
        claimed: out.claimed.to_string(),
        remaining: out.remaining,
        repeated,
    }
}
