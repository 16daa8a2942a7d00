//! The pages people read: server-rendered HTML (askama templates in `templates/`, assets from
//! `public/`), in English or Simplified Chinese. Every form carries a CSRF token.

mod assets;
mod blocks;
mod error;
mod evidence;
mod home;
pub mod i18n;
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
pub use error::PageError;
use i18n::Messages;
pub use visitor::Visitor;

/// How long a login lasts.
pub const SESSION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(assets::routes)
        .configure(home::routes)
        .configure(login::routes)
        .configure(evidence::routes)
        .configure(verify::routes)
        .configure(blocks::routes)
        .configure(invoices::routes);
}

/// What every page shows around its content: texts, the visitor's name and CSRF token, and
/// the path the language switch links back to.
pub struct Frame {
    pub t: &'static Messages,
    pub csrf: String,
    pub user: Option<String>,
    pub path: String,
    /// The invoice page of a logged-in hospital or insurer: its path and its name.
    pub nav_invoices: Option<(&'static str, &'static str)>,
}

impl Frame {
    pub fn of(visitor: &Visitor, path: &str) -> Self {
        Self {
            t: visitor.t(),
            csrf: visitor.csrf().to_owned(),
            user: visitor.session.as_ref().map(|s| s.tenant.name.clone()),
            path: path.to_owned(),
            nav_invoices: match visitor.session.as_ref().map(|s| s.tenant.role) {
                Some(TenantRole::Hospital) => Some(("/invoices", visitor.t().nav_invoices)),
                Some(TenantRole::Insurer) => Some(("/invoices/check", visitor.t().nav_check_invoice)),
                _ => None,
            },
        }
    }
}

/// Renders `page` for `visitor`.
pub fn render(visitor: &Visitor, status: StatusCode, page: &impl Template) -> Result<HttpResponse, PageError> {
    let html = page.render().map_err(|e| PageError::internal(visitor.lang, &anyhow::Error::new(e)))?;
    Ok(visitor.html(status, html))
}
