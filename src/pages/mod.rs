//! The pages people read: server-rendered HTML (askama templates in `templates/`, assets from
//! `public/`), in English or Simplified Chinese. Every form carries a CSRF token.

mod assets;
mod blocks;
mod certificate_pdf;
mod certificate_view;
mod error;
mod evidence;
mod evidence_pdf;
mod headers;
mod home;
pub mod i18n;
mod images;
mod invoices;
mod login;
mod qr;
mod verify;
mod visitor;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use crate::domain::TenantRole;
use crate::http::auth::Caller;
pub use error::PageError;
use i18n::Messages;
pub use visitor::Visitor;

/// How long a login lasts.
pub const SESSION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(assets::routes)
        .configure(home::routes)
        .configure(login::routes)
        // Before `evidence`, whose `/e/{id}/{file}` would take `certificate.pdf`.
        .configure(evidence_pdf::routes)
        .configure(evidence::routes)
        .configure(verify::routes)
        .configure(blocks::routes)
        .configure(invoices::routes)
        .configure(images::routes);
}

/// What every page shows around its content: texts, the visitor's name and CSRF token, and
/// the path the language switch links back to.
pub struct Frame {
    pub t: &'static Messages,
    pub csrf: String,
    pub user: Option<String>,
    pub path: String,
    /// The page of a logged-in tenant's role (a hospital's invoices, an insurer's check, a
    /// merchant's photo registration): its path and its name.
    pub nav_role: Option<(&'static str, &'static str)>,
}

impl Frame {
    pub fn of(visitor: &Visitor, path: &str) -> Self {
        Self {
            t: visitor.t(),
            csrf: visitor.csrf().to_owned(),
            user: visitor.session.as_ref().map(|s| s.tenant.name.clone()),
            path: path.to_owned(),
            nav_role: match visitor.session.as_ref().map(|s| s.tenant.role) {
                Some(TenantRole::Hospital) => Some(("/invoices", visitor.t().nav_invoices)),
                Some(TenantRole::Insurer) => Some(("/invoices/check", visitor.t().nav_check_invoice)),
                Some(TenantRole::Merchant) => Some(("/register", visitor.t().nav_register)),
                _ => None,
            },
        }
    }
}

/// Renders `page` for `visitor`.
pub fn render(visitor: &Visitor, status: StatusCode, page: &impl Template) -> Result<HttpResponse, PageError> {
    Ok(visitor.html(status, html_of(visitor, page)?))
}

/// Renders `page`, which loads this site's scripts, for `visitor`.
pub fn render_with_scripts(
    visitor: &Visitor,
    status: StatusCode,
    page: &impl Template,
) -> Result<HttpResponse, PageError> {
    Ok(visitor.html_with_scripts(status, html_of(visitor, page)?))
}

fn html_of(visitor: &Visitor, page: &impl Template) -> Result<String, PageError> {
    page.render().map_err(|e| PageError::internal(visitor.lang, &anyhow::Error::new(e)))
}

/// The logged-in tenant as the API's caller, when it has `role`: a visitor who is not logged
/// in is sent to the login page (and back to `path` after), a tenant of another role gets a
/// `403` page.
pub fn caller_with_role(visitor: &Visitor, role: TenantRole, path: &str) -> Result<Caller, PageError> {
    let t = visitor.t();
    match &visitor.session {
        None => Err(PageError::log_in_first(visitor.lang, path)),
        Some(s) if s.tenant.role == role => Ok(Caller(s.tenant.clone())),
        Some(_) => {
            // Only these three roles have pages of their own.
            let message = match role {
                TenantRole::Hospital => t.only_hospitals,
                TenantRole::Insurer => t.only_insurers,
                _ => t.only_merchants,
            };
            Err(PageError::new(visitor.lang, StatusCode::FORBIDDEN, message))
        }
    }
}
