//! Who is looking at a page: their language, their session if logged in, and the CSRF token
//! their forms must carry.
//!
//! Cookies: `session` (the session token; HttpOnly, SameSite=Strict), `csrf` (a random
//! token for the forms of visitors who are not logged in: double-submit, HttpOnly,
//! SameSite=Strict) and `lang`. A logged-in visitor's forms carry the session's own CSRF
//! token instead, which a cookie planted by someone else cannot match.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, HttpResponseBuilder, web};
use openssl::memcmp;

use super::error::PageError;
use super::headers::{CSP_WITH_SCRIPTS, security_headers};
use super::i18n::{Lang, Messages};
use crate::domain::TenantId;
use crate::store::{Session, Store, random_token};

pub const SESSION_COOKIE: &str = "session";
pub const CSRF_COOKIE: &str = "csrf";
pub const LANG_COOKIE: &str = "lang";

/// The visitor of a page.
pub struct Visitor {
    pub lang: Lang,
    pub session: Option<Session>,
    /// The session cookie's token, for logout.
    pub session_token: Option<String>,
    csrf_cookie: Option<String>,
    /// Cookies to set with the response.
    set_csrf: Option<String>,
    set_lang: bool,
    secure: bool,
}

impl Visitor {
    pub fn t(&self) -> &'static Messages {
        self.lang.messages()
    }

    /// Whether the visitor is logged in as `owner`.
    pub fn is(&self, owner: &TenantId) -> bool {
        self.session.as_ref().is_some_and(|s| s.tenant.id == *owner)
    }

    /// The CSRF token this visitor's forms carry.
    pub fn csrf(&self) -> &str {
        match &self.session {
            Some(s) => &s.csrf,
            None => self.set_csrf.as_deref().or(self.csrf_cookie.as_deref()).unwrap_or_default(),
        }
    }

    /// Refuses a form whose token is missing or not this visitor's (`403`).
    pub fn check_csrf(&self, submitted: Option<&str>) -> Result<(), PageError> {
        if self.csrf_matches(submitted) {
            return Ok(());
        }
        Err(PageError::new(self.lang, StatusCode::FORBIDDEN, self.t().error_csrf))
    }

    /// Whether `submitted` is this visitor's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, submitted: Option<&str>) -> bool {
        let expected = match &self.session {
            Some(s) => Some(s.csrf.as_str()),
            None => self.csrf_cookie.as_deref(),
        };
        match (expected, submitted) {
            (Some(e), Some(s)) => !e.is_empty() && e.len() == s.len() && memcmp::eq(e.as_bytes(), s.as_bytes()),
            _ => false,
        }
    }

    /// A response with this visitor's cookies and the pages' security headers.
    pub fn response(&self, status: StatusCode) -> HttpResponseBuilder {
        let mut res = HttpResponse::build(status);
        if let Some(token) = &self.set_csrf {
            res.cookie(self.cookie(CSRF_COOKIE, token.clone(), None));
        }
        if self.set_lang {
            res.cookie(
                Cookie::build(LANG_COOKIE, self.lang.code())
                    .path("/")
                    .same_site(SameSite::Lax)
                    .max_age(CookieDuration::days(365))
                    .finish(),
            );
        }
        security_headers(&mut res);
        res
    }

    /// An HTML page.
    pub fn html(&self, status: StatusCode, body: String) -> HttpResponse {
        self.response(status).content_type("text/html; charset=utf-8").body(body)
    }

    /// An HTML page that runs this site's own scripts (`/public/*.js`) and lets them call this
    /// site; still no inline script.
    pub fn html_with_scripts(&self, status: StatusCode, body: String) -> HttpResponse {
        self.response(status)
            .insert_header((header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP_WITH_SCRIPTS)))
            .content_type("text/html; charset=utf-8")
            .body(body)
    }

    /// A `303 See Other` to a path of this site.
    pub fn redirect(&self, to: &str) -> HttpResponseBuilder {
        let mut res = self.response(StatusCode::SEE_OTHER);
        res.insert_header((header::LOCATION, to.to_owned()));
        res
    }

    /// An HttpOnly, SameSite=Strict cookie for the whole site; `Secure` over HTTPS.
    pub fn cookie(&self, name: &'static str, value: String, max_age: Option<CookieDuration>) -> Cookie<'static> {
        let mut c = Cookie::build(name, value).path("/").http_only(true).same_site(SameSite::Strict);
        if self.secure {
            c = c.secure(true);
        }
        if let Some(age) = max_age {
            c = c.max_age(age);
        }
        c.finish()
    }

    async fn of(req: HttpRequest) -> Result<Self, PageError> {
        let query_lang = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.iter().find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::from_code(v)));
        let cookie_lang = req.cookie(LANG_COOKIE).and_then(|c| Lang::from_code(c.value()));
        let header_lang = || {
            let header = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
            header.map_or(Lang::En, Lang::negotiate)
        };
        let lang = query_lang.or(cookie_lang).unwrap_or_else(header_lang);
        let set_lang = query_lang.is_some() && query_lang != cookie_lang;

        let session_token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()).filter(|t| t.len() <= 128);
        let session = match (&session_token, req.app_data::<web::Data<Store>>()) {
            (Some(token), Some(store)) => store.session(token).await.map_err(|e| PageError::internal(lang, &e))?,
            _ => None,
        };
        if let Some(s) = &session {
            // The request log names the logged-in tenant of a page request too.
            req.extensions_mut().insert(s.tenant.id);
        }
        let csrf_cookie = req.cookie(CSRF_COOKIE).map(|c| c.value().to_owned()).filter(|t| t.len() == 43);
        let set_csrf = match (&session, &csrf_cookie) {
            (None, None) => Some(random_token().map_err(|e| PageError::internal(lang, &e))?),
            _ => None,
        };
        // HTTPS as configured (`public_url`) or as this connection is: never as a forwarded
        // header (`X-Forwarded-Proto`, `Forwarded`) claims.
        let https_url = req.app_data::<web::Data<crate::config::PublicUrl>>().is_some_and(|u| u.is_https());
        let secure = https_url || req.app_config().secure();
        Ok(Self { lang, session, session_token, csrf_cookie, set_csrf, set_lang, secure })
    }
}

impl FromRequest for Visitor {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(Self::of(req.clone()))
    }
}
