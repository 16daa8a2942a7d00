//! `POST /v1/images/search`: anyone uploads a suspect picture and learns who registered it
//! first (limited per client address like every anonymous route).

use actix_web::{HttpRequest, HttpResponse, web};

use super::anonymous_client;
use crate::http::multipart::FormError;
use crate::http::multipart::Limits;
use crate::http::multipart::picture::read_suspect;
use crate::http::multipart::require_multipart;
use crate::images::Images;
use crate::problem::Problem;
use crate::service::images::{SearchResult, search as find};
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
    require_multipart(&req)?;
    let file = read_suspect(&req, payload, limits.max_image_bytes, None).await?;
    let file = file.ok_or(FormError::Missing("file"))?;
    let result = find(&store, &images, file.bytes, anonymous_client(&req)).await?;
    Ok(HttpResponse::Ok().json(result))
}
