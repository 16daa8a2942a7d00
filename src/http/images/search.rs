//! `POST /v1/images/search`: anyone uploads a suspect picture and learns who registered it
//! first (limited per client address like every anonymous route).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

use super::decode_problem;
use crate::fingerprint::decode::DecodeError;
use crate::http::body::{collect_limited, media_type, unsupported};
use crate::http::upload::{Limits, text_field};
use crate::images::Images;
use crate::images::search::{SearchError, SearchResult, search as find};
use crate::problem::Problem;
use crate::store::Store;

/// Registrations of this picture or a copy of it (re-encoded, resized, cropped, mirrored,
/// stamped), earliest first.
#[utoipa::path(
    post,
    path = "/v1/images/search",
    tag = "images",
    request_body(content = crate::http::openapi::ImageSearchUpload, content_type = "multipart/form-data"),
    responses((status = 200, description = "Matches, earliest registration first (at most 50).",
        body = SearchResult, example = json!(crate::http::openapi::examples::image_search()))),
)]
pub async fn search(
    req: HttpRequest,
    payload: web::Payload,
    store: web::Data<Store>,
    images: web::Data<Images>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, Problem> {
    let bytes = suspect_file(&req, payload, limits.max_image_bytes).await?;
    let result = search_bytes(&store, &images, bytes).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// The search shared with the `/search` page.
pub async fn search_bytes(store: &Store, images: &Images, bytes: Vec<u8>) -> Result<SearchResult, Problem> {
    find(store, images, bytes).await.map_err(|e| match e {
        SearchError::Decode(e) => decode_problem(e),
        SearchError::Internal(e) => Problem::internal(&e),
    })
}

/// The form's one `file` field, in memory (at most `max_bytes`).
pub async fn suspect_file(req: &HttpRequest, payload: web::Payload, max_bytes: u64) -> Result<Vec<u8>, Problem> {
    let media = media_type(req);
    if media != "multipart/form-data" {
        return Err(unsupported(&media, "multipart/form-data"));
    }
    let file = read_suspect(req, payload, max_bytes, None).await?;
    let file = file.ok_or_else(|| Problem::invalid_field("/file", "missing_field", "the form has no file field"))?;
    if file.bytes.is_empty() {
        return Err(decode_problem(DecodeError::Empty));
    }
    Ok(file.bytes)
}

/// A suspect picture as sent.
pub struct Suspect {
    pub bytes: Vec<u8>,
    /// The part named a file (a browser's empty file input names none).
    pub named: bool,
}

/// Reads a search form: one `file` (at most `max_bytes`; `None` when absent). With `csrf`, the
/// form must carry a `csrf` field that `csrf` accepts, before the file (so no file is read for
/// a forged form), else `403 csrf_rejected`. Any other field is refused.
pub async fn read_suspect(
    req: &HttpRequest,
    payload: web::Payload,
    max_bytes: u64,
    csrf: Option<&dyn Fn(&str) -> bool>,
) -> Result<Option<Suspect>, Problem> {
    let forged = || Problem::new(StatusCode::FORBIDDEN, "csrf_rejected", "the form's csrf token does not match");
    let mut form = Multipart::new(req.headers(), payload);
    let (mut file, mut token_checked) = (None, false);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| Problem::malformed(format!("multipart: {e}")))?;
        match (field.name().unwrap_or_default(), csrf) {
            ("csrf", Some(accepts)) => {
                token_checked = accepts(&text_field(&mut field).await?);
                if !token_checked {
                    return Err(forged());
                }
            }
            ("file", Some(_)) if !token_checked => return Err(forged()),
            ("file", _) if file.is_none() => {
                let named = field.content_disposition().and_then(|cd| cd.get_filename()).is_some_and(|n| !n.is_empty());
                let bytes = Vec::from(collect_limited(&mut field, max_bytes as usize, "the file").await?);
                file = Some(Suspect { bytes, named });
            }
            (other, _) => {
                return Err(Problem::invalid_field(format!("/{other}"), "unknown_field", "the form takes one file"));
            }
        }
    }
    if csrf.is_some() && !token_checked {
        return Err(forged());
    }
    Ok(file)
}
