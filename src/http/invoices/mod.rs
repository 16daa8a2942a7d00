//! `/v1/invoices`: hospitals issue, list, void and erase; insurers check, claim and withdraw
//! (docs/invoices.md). The handlers parse the request into domain types, call one operation of
//! `service::invoices` and map its result; the errors become problems in `errors`.

pub(crate) mod check;
mod check_schema;
pub(crate) mod claims;
mod errors;
pub(crate) mod issue;
mod views;

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev, web};

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

/// The invoice named by the route's `{issuer}/{code}/{number}`; a malformed part is `404` like
/// an unknown invoice.
pub(crate) struct InvoicePath(pub InvoiceKey);

impl FromRequest for InvoicePath {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut dev::Payload) -> Self::Future {
        let part = |name: &str| req.match_info().get(name).unwrap_or_default().to_owned();
        let key = invoice_key(part("issuer"), part("code"), part("number"));
        ready(key.map(InvoicePath).ok_or_else(Problem::not_found))
    }
}
