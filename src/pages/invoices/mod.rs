//! The invoice pages (issue 8): `/invoices`, a hospital's invoices with their claims and access
//! log, and `/invoices/check`, where an insurer checks an invoice and claims it. Both call the
//! same functions as the API (`crate::http::invoices`); payer data is never shown.

mod check;
mod hospital;

use actix_web::http::StatusCode;
use actix_web::web;

use super::i18n::Messages;
use super::{PageError, Visitor};
use crate::problem::Problem;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/invoices", web::get().to(hospital::list))
        .route("/invoices/void", web::post().to(hospital::void))
        .route("/invoices/check", web::get().to(check::form))
        .route("/invoices/check", web::post().to(check::submit))
        .route("/invoices/claim", web::post().to(check::claim));
}

/// A verdict (`authentic`, `altered`, `unknown`, `voided`) in words.
fn verdict_word(t: &'static Messages, verdict: &str) -> &'static str {
    match verdict {
        "authentic" => t.verdict_authentic,
        "altered" => t.verdict_altered,
        "voided" => t.verdict_voided,
        _ => t.verdict_unknown,
    }
}

/// Why the writer refused a claim or a void, in words; other client errors keep their detail,
/// server errors become the error page.
fn refusal_words(visitor: &Visitor, p: Problem) -> Result<(StatusCode, String), PageError> {
    if p.status.is_server_error() {
        return Err(PageError::from_problem(visitor.lang, p));
    }
    let t = visitor.t();
    let extra = |name: &str| p.extra.get(name).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
    let pointer = p.errors.first().map(|e| e.pointer.as_str());
    let words = match (p.code, pointer) {
        ("amount_exceeds_remaining", _) => format!("{} {}", t.refused_exceeds, extra("remaining").unwrap_or_default()),
        ("invoice_voided", _) => t.explain_voided.to_owned(),
        ("claim_reference_reused", _) => t.refused_reference.to_owned(),
        ("invoice_claimed", _) => format!("{} {}", t.refused_claimed, extra("active_claims").unwrap_or_default()),
        ("not_found", _) => t.refused_not_found.to_owned(),
        ("invalid_field", Some("/amount")) => t.refused_amount.to_owned(),
        ("invalid_field", Some("/claim_reference")) => t.refused_bad_reference.to_owned(),
        ("invalid_field", Some("/reason")) => t.refused_reason.to_owned(),
        _ => p.detail.clone(),
    };
    Ok((p.status, words))
}
