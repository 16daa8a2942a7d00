//! `/register`: a logged-in merchant drops photos or chooses them; `public/register.js`
//! uploads each to `POST /register/upload`, at most three at a time, shows its progress, then
//! polls `/e/{id}/status.json` until it is anchored and links its certificate.
//!
//! `POST /register/upload` is the API's registration (`service::images::register`, the same multipart
//! form: `file`, `title`, `author`, `public`) with the session in place of the API key and the
//! CSRF token in the `X-CSRF-Token` header. It answers JSON: `201 {id, status, block, link}`,
//! or the problem with a `message` in the visitor's language.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_LENGTH, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use serde::Serialize;

use super::words::{register_words, registration_form_words, size_words};
use crate::domain::{EvidenceId, EvidenceStatus, TenantRole};
use crate::http::auth::Caller;
use crate::http::body_guard::Unpaid;
use crate::http::limits::RateLimits;
use crate::http::multipart::Limits;
use crate::http::multipart::picture::{RegistrationFormError, read_registration};
use crate::images::Images;
use crate::ingest::Ingest;
use crate::pages::i18n::Messages;
use crate::pages::{Frame, PageError, Visitor, caller_with_role, render_with_scripts};
use crate::problem::Problem;
use crate::service::images::{RegisterError, may_register, register};
use crate::store::Store;

const PATH: &str = "/register";
/// The header that carries the CSRF token of an upload.
const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    frame: Frame,
    /// What may be uploaded, with the size limit.
    formats: String,
    /// The size limit, which the script checks before uploading, and its refusal in words.
    max_bytes: u64,
    too_large: String,
}

/// A registered photo as the uploader sees it.
#[derive(Serialize)]
struct Registered {
    id: EvidenceId,
    status: EvidenceStatus,
    block: Option<u64>,
    link: String,
}

pub(super) async fn page(visitor: Visitor, limits: web::Data<Limits>) -> Result<HttpResponse, PageError> {
    caller_with_role(&visitor, TenantRole::Merchant, PATH)?;
    let (t, max_bytes) = (visitor.t(), limits.max_image_bytes);
    let page = RegisterPage {
        frame: Frame::of(&visitor, PATH),
        formats: t.register_formats.replace("{size}", &size_words(max_bytes)),
        max_bytes,
        too_large: t.problem_file_too_large.replace("{size}", &size_words(max_bytes)),
    };
    render_with_scripts(&visitor, StatusCode::OK, &page)
}

pub(super) async fn upload(
    req: HttpRequest,
    visitor: Visitor,
    payload: web::Payload,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
    images: web::Data<Images>,
    limits: web::Data<Limits>,
) -> HttpResponse {
    let registered = async {
        let caller = uploader(&req, &visitor)?;
        let registration = read_registration(&req, payload, &limits, None).await.map_err(Refused::Form)?;
        charge_unpaid(&req, &caller)?;
        register(&store, &ingest, &images, &limits.blobs(), &caller, registration).await.map_err(Refused::Register)
    };
    let mut res = match registered.await {
        Ok(r) => HttpResponse::Created().json(Registered {
            link: format!("/e/{}", r.record.id),
            id: r.record.id,
            status: r.status,
            block: r.block,
        }),
        Err(refused) => {
            let message = refused.words(visitor.t(), limits.max_image_bytes);
            let p = refused.problem();
            let message = message.unwrap_or_else(|| p.detail.clone());
            p.with("message", message).error_response()
        }
    };
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Why an upload was refused.
enum Refused {
    /// This browser has no live session.
    LoginRequired,
    /// The upload does not carry this session's CSRF token.
    CsrfRejected,
    /// Over the tenant's quota: the rate limiter's own problem.
    Quota(Problem),
    Form(RegistrationFormError),
    Register(RegisterError),
}

impl Refused {
    /// In words; `None`: the problem's own detail (a server fault's reference, the quota).
    fn words(&self, t: &'static Messages, max_bytes: u64) -> Option<String> {
        match self {
            Self::LoginRequired => Some(t.problem_login.to_owned()),
            Self::CsrfRejected => Some(t.error_csrf.to_owned()),
            Self::Quota(_) => None,
            Self::Form(e) => registration_form_words(t, e, max_bytes),
            Self::Register(e) => register_words(t, e),
        }
    }

    fn problem(self) -> Problem {
        match self {
            Self::LoginRequired => {
                let detail = "log in on /login first: this browser has no live session";
                Problem::new(StatusCode::UNAUTHORIZED, "login_required", detail)
            }
            Self::CsrfRejected => {
                let detail = format!("the {CSRF_HEADER} header must carry this session's CSRF token");
                Problem::new(StatusCode::FORBIDDEN, "csrf_rejected", detail)
            }
            Self::Quota(p) => p,
            Self::Form(e) => e.into(),
            Self::Register(e) => e.into(),
        }
    }
}

/// A chunked upload declares no length: what was read is charged once it is read, before
/// anything is stored.
fn charge_unpaid(req: &HttpRequest, caller: &Caller) -> Result<(), Refused> {
    let unpaid = req.extensions().get::<Unpaid>().map_or(0, Unpaid::bytes);
    match req.app_data::<web::Data<RateLimits>>() {
        Some(quotas) if unpaid > 0 => quotas.charge_tenant_bytes(&caller.0, unpaid).map_err(Refused::Quota),
        _ => Ok(()),
    }
}

/// The logged-in merchant sending this upload with its CSRF token, checked before the body
/// is read.
fn uploader(req: &HttpRequest, visitor: &Visitor) -> Result<Caller, Refused> {
    let Some(session) = &visitor.session else { return Err(Refused::LoginRequired) };
    let caller = Caller(session.tenant.clone());
    may_register(&caller).map_err(Refused::Register)?;
    let token = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    if !visitor.csrf_matches(token) {
        return Err(Refused::CsrfRejected);
    }
    // The middleware limits API keys only; a session's uploads count against the same quota.
    let bytes = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok()).unwrap_or(0);
    if let Some(quotas) = req.app_data::<web::Data<RateLimits>>() {
        quotas.charge_tenant(&session.tenant, bytes).map_err(Refused::Quota)?;
    }
    Ok(caller)
}
