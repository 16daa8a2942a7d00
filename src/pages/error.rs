//! Errors on pages: an HTML page in the visitor's language with the right status. Internal
//! errors are logged with their cause; the page shows only a reference.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::Frame;
use super::headers::security_headers;
use super::i18n::Lang;
use crate::problem::Problem;

#[derive(Debug)]
pub struct PageError {
    lang: Lang,
    status: StatusCode,
    message: String,
    /// For [`PageError::log_in_first`]: the login page, coming back to this path.
    login_next: Option<String>,
}

impl PageError {
    pub fn new(lang: Lang, status: StatusCode, message: impl Into<String>) -> Self {
        Self { lang, status, message: message.into(), login_next: None }
    }

    /// A page for logged-in tenants only, asked for by a visitor who is not logged in: a
    /// `303` to the login page, which leads back to `path` (a path of this site).
    pub fn log_in_first(lang: Lang, path: &str) -> Self {
        let mut e = Self::new(lang, StatusCode::SEE_OTHER, lang.messages().login_title);
        e.login_next = Some(path.to_owned());
        e
    }

    pub fn not_found(lang: Lang) -> Self {
        Self::new(lang, StatusCode::NOT_FOUND, lang.messages().error_not_found)
    }

    /// `400` for a form that cannot be read; `why` says what is wrong.
    pub fn bad_form(lang: Lang, why: impl std::fmt::Display) -> Self {
        Self::new(lang, StatusCode::BAD_REQUEST, format!("{}: {why}", lang.messages().error_form))
    }

    pub fn internal(lang: Lang, cause: &anyhow::Error) -> Self {
        let problem = Problem::internal(cause);
        Self::new(lang, problem.status, problem.detail)
    }

    /// A problem from the API layer, shown in words on a page.
    pub fn from_problem(lang: Lang, p: Problem) -> Self {
        if p.status.is_server_error() {
            return Self::new(lang, p.status, format!("{} {}", lang.messages().error_internal, p.detail));
        }
        Self::new(lang, p.status, p.detail)
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    frame: Frame,
    message: &'a str,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(next) = &self.login_next {
            let mut res = HttpResponse::SeeOther();
            security_headers(&mut res);
            return res.insert_header((header::LOCATION, format!("/login?next={next}"))).finish();
        }
        let frame =
            Frame { t: self.lang.messages(), csrf: String::new(), user: None, path: "/".into(), nav_role: None };
        let html = ErrorPage { frame, message: &self.message }.render().unwrap_or_else(|_| self.message.clone());
        let mut res = HttpResponse::build(self.status);
        security_headers(&mut res);
        res.content_type("text/html; charset=utf-8").body(html)
    }
}
