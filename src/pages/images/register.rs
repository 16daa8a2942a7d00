//! `/register`: a logged-in merchant drops photos or chooses them; `public/register.js`
//! uploads each to `POST /register/upload`, at most three at a time, shows its progress, then
//! polls `/e/{id}/status.json` until it is anchored and links its certificate.
//!
//! `POST /register/upload` is the API's registration (`register_image`, the same multipart
//! form: `file`, `title`, `author`, `public`) with the session in place of the API key and the
//! CSRF token in the `X-CSRF-Token` header. It answers JSON: `201 {id, status, block, link}`,
//! or the problem with a `message` in the visitor's language.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_LENGTH, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use serde::Serialize;

use super::{problem_words, size_words};
use crate::domain::{EvidenceId, TenantId, TenantRole};
use crate::http::auth::{Caller, require_role};
use crate::http::images::{read_form, register_image};
use crate::http::limits::RateLimits;
use crate::http::upload::Limits;
use crate::images::Images;
use crate::ingest::Ingest;
use crate::pages::{Frame, PageError, Visitor, caller_with_role, render_with_scripts};
use crate::problem::Problem;
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
    status: crate::domain::EvidenceStatus,
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
        let owner = uploader(&req, &visitor)?;
        let form = read_form(&req, payload, &limits).await?;
        register_image(&store, &ingest, &images, &limits, &owner, form, None).await
    };
    let mut res = match registered.await {
        Ok(r) => HttpResponse::Created().json(Registered {
            link: format!("/e/{}", r.id),
            id: r.id,
            status: r.status,
            block: r.block,
        }),
        Err(p) => {
            let message = problem_words(visitor.t(), &p, limits.max_image_bytes);
            p.with("message", message).error_response()
        }
    };
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The logged-in merchant sending this upload with its CSRF token: else `401
/// login_required`, `403 role_not_allowed` or `403 csrf_rejected`, before the body is read.
fn uploader(req: &HttpRequest, visitor: &Visitor) -> Result<TenantId, Problem> {
    let Some(session) = &visitor.session else {
        let detail = "log in on /login first: this browser has no live session";
        return Err(Problem::new(StatusCode::UNAUTHORIZED, "login_required", detail));
    };
    require_role(&Caller(session.tenant.clone()), TenantRole::Merchant)?;
    let token = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    if !visitor.csrf_matches(token) {
        let detail = format!("the {CSRF_HEADER} header must carry this session's CSRF token");
        return Err(Problem::new(StatusCode::FORBIDDEN, "csrf_rejected", detail));
    }
    // The middleware limits API keys only; a session's uploads count against the same quota.
    let bytes = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok()).unwrap_or(0);
    if let Some(quotas) = req.app_data::<web::Data<RateLimits>>() {
        quotas.charge_tenant(&session.tenant, bytes)?;
    }
    Ok(session.tenant.id)
}
