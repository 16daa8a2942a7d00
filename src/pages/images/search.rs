//! `/search`: anyone uploads a suspect picture (a form with its CSRF token) and sees the
//! registrations of it or of a copy, earliest first, in words: when, which block, anchored or
//! not, co-signed by whom, how alike; title, author, owner and thumbnail of the public ones;
//! a link to each certificate. The search is the API's (`service::images::search`); nothing
//! is stored.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::picture::PictureFacts;
use super::words::{form_words, search_words};
use crate::http::body::media_type;
use crate::http::images::anonymous_client;
use crate::http::multipart::FormError;
use crate::http::multipart::Limits;
use crate::http::multipart::picture::read_suspect;
use crate::images::Images;
use crate::pages::i18n::{Lang, role_name};
use crate::pages::{Frame, PageError, Visitor, render};
use crate::problem::Problem;
use crate::service::images::{ImageMatch, SearchResult, search as find};
use crate::store::Store;

const PATH: &str = "/search";

/// One registration found, as shown.
struct MatchView {
    link: String,
    registered: String,
    block: Option<u64>,
    status_code: &'static str,
    status: &'static str,
    /// `name (role)` of each co-signer.
    witnesses: Vec<String>,
    identical: bool,
    /// "identical file", or how many fingerprint bits differ.
    likeness: String,
    picture: Option<PictureFacts>,
}

struct MatchesView {
    fingerprinted: bool,
    matches: Vec<MatchView>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    frame: Frame,
    result: Option<MatchesView>,
    error: Option<String>,
}

fn page(
    visitor: &Visitor,
    status: StatusCode,
    result: Option<MatchesView>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    render(visitor, status, &SearchPage { frame: Frame::of(visitor, PATH), result, error })
}

pub(super) async fn form(visitor: Visitor) -> Result<HttpResponse, PageError> {
    page(&visitor, StatusCode::OK, None, None)
}

pub(super) async fn submit(
    req: HttpRequest,
    visitor: Visitor,
    payload: web::Payload,
    store: web::Data<Store>,
    images: web::Data<Images>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, PageError> {
    if media_type(&req) != "multipart/form-data" {
        return Err(PageError::bad_form(visitor.lang, "multipart/form-data expected"));
    }
    // A refusal shows the form again with the API's status; a server fault is an error page.
    let refused = |p: Problem, words: Option<String>| match words {
        Some(words) if !p.status.is_server_error() => page(&visitor, p.status, None, Some(words)),
        _ => Err(PageError::from_problem(visitor.lang, p)),
    };
    let accepts = |token: &str| visitor.csrf_matches(Some(token));
    let file = match read_suspect(&req, payload, limits.max_image_bytes, Some(&accepts)).await {
        Ok(file) => file,
        Err(FormError::CsrfRejected) => {
            return Err(PageError::new(visitor.lang, StatusCode::FORBIDDEN, visitor.t().error_csrf));
        }
        Err(e) => {
            let words = form_words(visitor.t(), &e, limits.max_image_bytes);
            return refused(Problem::from(e), words);
        }
    };
    // A browser's empty file input sends an unnamed, empty part: no file chosen.
    let Some(file) = file.filter(|f| f.named || !f.bytes.is_empty()).map(|f| f.bytes) else {
        let missing = visitor.t().problem_missing_file.to_owned();
        return page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, None, Some(missing));
    };
    match find(&store, &images, file, anonymous_client(&req)).await {
        Ok(result) => page(&visitor, StatusCode::OK, Some(result_view(visitor.lang, result)), None),
        Err(e) => {
            let words = search_words(visitor.t(), &e);
            refused(Problem::from(e), words)
        }
    }
}

fn result_view(lang: Lang, result: SearchResult) -> MatchesView {
    let t = lang.messages();
    let matches = result
        .matches
        .iter()
        .map(|m: &ImageMatch| MatchView {
            link: m.link.clone(),
            registered: m.registered.to_string(),
            block: m.block,
            status_code: m.status.as_str(),
            status: t.status(m.status),
            witnesses: m.witnesses.iter().map(|w| format!("{} ({})", w.name, role_name(lang, Some(w.role)))).collect(),
            identical: m.identical,
            likeness: if m.identical {
                t.identical_file.to_owned()
            } else {
                t.similar_picture
                    .replace("{distance}", &m.distance.to_string())
                    .replace("{threshold}", &result.threshold.to_string())
            },
            picture: PictureFacts::of_match(m),
        })
        .collect();
    MatchesView { fingerprinted: result.fingerprinted, matches }
}
