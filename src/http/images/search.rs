//! `POST /v1/images/search`: anyone uploads a suspect picture and learns who registered it
//! first (limited per client address like every anonymous route).

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

use super::decode_problem;
use crate::fingerprint::decode::DecodeError;
use crate::http::body::{collect_limited, media_type, unsupported};
use crate::http::upload::Limits;
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
    let mut form = Multipart::new(req.headers(), payload);
    let mut file = None;
    while let Some(field) = form.next().await {
        let field = field.map_err(|e| Problem::malformed(format!("multipart: {e}")))?;
        match field.name().unwrap_or_default() {
            "file" if file.is_none() => {
                file = Some(Vec::from(collect_limited(field, max_bytes as usize, "the file").await?));
            }
            other => {
                return Err(Problem::invalid_field(format!("/{other}"), "unknown_field", "the form takes one file"));
            }
        }
    }
    let file = file.ok_or_else(|| Problem::invalid_field("/file", "missing_field", "the form has no file field"))?;
    if file.is_empty() {
        return Err(decode_problem(DecodeError::Empty));
    }
    Ok(file)
}
