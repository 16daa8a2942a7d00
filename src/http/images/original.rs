//! `GET /v1/images/{id}/original`: the registered file, to its owner only (another tenant gets
//! the same `404` as an unknown id).

use actix_web::{HttpResponse, web};

use crate::domain::EvidenceId;
use crate::http::auth::Caller;
use crate::http::multipart::Limits;
use crate::problem::Problem;
use crate::service::images::{OriginalError, original as fetch};
use crate::store::Store;

/// The original file as uploaded.
#[utoipa::path(
    get,
    path = "/v1/images/{id}/original",
    tag = "images",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The image record's id.")),
    responses((status = 200, description = "The file as uploaded, with the media type of its content.",
        content(
            (String = "image/jpeg", example = json!("(the picture's bytes)")),
            (String = "image/png", example = json!("(the picture's bytes)")),
            (String = "image/webp", example = json!("(the picture's bytes)")),
        ))),
)]
pub async fn original(
    caller: Caller,
    id: web::Path<String>,
    store: web::Data<Store>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, Problem> {
    let id: EvidenceId = id.parse().map_err(|_| OriginalError::NotFound)?;
    let file = fetch(&store, &limits.blobs(), &caller, &id).await?;
    Ok(HttpResponse::Ok()
        .content_type(file.media_type)
        .insert_header(("Content-Disposition", "attachment"))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(file.bytes))
}
