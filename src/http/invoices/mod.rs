//! `/v1/invoices`: hospitals issue, list, void and erase; insurers check, claim and withdraw
//! (docs/invoices.md). The handlers parse the request into domain types, call one operation of
//! `service::invoices` and map its result; the errors become problems in `errors`.

pub(crate) mod check;
pub(crate) mod claims;
mod errors;
pub(crate) mod issue;
mod views;

use actix_web::web;

pub use super::auth::require_role;
use crate::problem::Problem;
use crate::service::invoices::invoice_key;
use crate::store::invoices::InvoiceKey;

pub use check::CheckOut;
pub use views::{ClaimOut, InvoiceDetail, InvoiceOut};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/invoices", web::post().to(issue::issue))
        .route("/v1/invoices", web::get().to(issue::list))
        .route("/v1/invoices/check", web::post().to(check::check))
        .route("/v1/invoices/{issuer}/{code}/{number}", web::get().to(issue::detail))
        .route("/v1/invoices/{issuer}/{code}/{number}/content", web::delete().to(issue::erase))
        .route("/v1/invoices/{issuer}/{code}/{number}/void", web::post().to(claims::void))
        .route("/v1/invoices/{issuer}/{code}/{number}/claims", web::post().to(claims::claim))
        .route("/v1/invoices/{issuer}/{code}/{number}/claims/{claim_id}/withdraw", web::post().to(claims::withdraw));
}

/// The invoice named by a path; a malformed part is `404` like an unknown invoice.
fn path_key((issuer, code, number): (String, String, String)) -> Result<InvoiceKey, Problem> {
    invoice_key(issuer, code, number).ok_or_else(Problem::not_found)
}
