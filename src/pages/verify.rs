//! `/verify`: upload a receipt (JSON or zip) and optionally the original; the result is a
//! checklist in plain words with what the receipt proves and does not prove. Nothing
//! uploaded here is stored.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{Frame, PageError, Visitor, render};
use crate::crypto::TrustStore;
use crate::domain::verify::VerifyReport;
use crate::http::body::media_type;
use crate::http::verify::read_form;
use crate::service::verify::{VerifyError, VerifyLimits, check};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/verify", web::get().to(form)).route("/verify", web::post().to(submit));
}

struct CheckView {
    name: String,
    label: String,
    detail: String,
    class: &'static str,
    mark: &'static str,
    state: &'static str,
}

struct VerdictView {
    valid: bool,
    /// The plain answers, first.
    summary: Vec<String>,
    checks: Vec<CheckView>,
    proves: Vec<String>,
    does_not_prove: Vec<String>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    frame: Frame,
    result: Option<VerdictView>,
    error: Option<String>,
}

fn page(
    visitor: &Visitor,
    status: StatusCode,
    result: Option<VerdictView>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    render(visitor, status, &VerifyPage { frame: Frame::of(visitor, "/verify"), result, error })
}

async fn form(visitor: Visitor) -> Result<HttpResponse, PageError> {
    page(&visitor, StatusCode::OK, None, None)
}

async fn submit(
    req: HttpRequest,
    visitor: Visitor,
    payload: web::Payload,
    trust: web::Data<TrustStore>,
    limits: web::Data<VerifyLimits>,
) -> Result<HttpResponse, PageError> {
    if media_type(&req) != "multipart/form-data" {
        return Err(PageError::bad_form(visitor.lang, "multipart/form-data expected"));
    }
    let form = read_form(&req, payload, limits.max_file_bytes, &["csrf"])
        .await
        .map_err(|p| PageError::from_problem(visitor.lang, p))?;
    let csrf = form.texts.iter().find(|(name, _)| name == "csrf").map(|(_, v)| v.as_str());
    visitor.check_csrf(csrf)?;
    let Some(receipt) = form.receipt else {
        return page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, None, Some(visitor.t().verify_receipt.to_owned()));
    };
    match check(&receipt, form.file_hash, &trust, &limits) {
        Ok(report) => page(&visitor, StatusCode::OK, Some(result_view(&visitor, &report)), None),
        Err(e @ VerifyError::Unusable(_)) => {
            page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string()))
        }
    }
}

fn result_view(visitor: &Visitor, report: &VerifyReport) -> VerdictView {
    let t = visitor.t();
    let checks = report
        .checks
        .iter()
        .map(|c| {
            let (class, mark, state) = match c.ok {
                Some(true) => ("passed", "✓", t.check_passed),
                Some(false) => ("failed", "✗", t.check_failed),
                None => ("na", "–", t.check_not_applicable),
            };
            CheckView {
                name: c.name.clone(),
                label: visitor.lang.check(&c.name),
                detail: c.detail.clone(),
                class,
                mark,
                state,
            }
        })
        .collect();
    VerdictView {
        valid: report.valid,
        summary: report.summary.iter().map(|v| visitor.lang.verdict(v)).collect(),
        checks,
        proves: report.proves.iter().map(|s| visitor.lang.statement(s)).collect(),
        does_not_prove: report.does_not_prove.iter().map(|s| visitor.lang.statement(s)).collect(),
    }
}
