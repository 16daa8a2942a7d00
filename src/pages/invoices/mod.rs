//! The invoice pages (issue 8): `/invoices`, a hospital's invoices with their claims and access
//! log, and `/invoices/check`, where an insurer checks an invoice and claims it. Both call the
//! same operations as the API (`crate::service::invoices`) and put their errors in words;
//! payer data is never shown.

mod check;
mod hospital;

use actix_web::web;

use super::i18n::Messages;

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
