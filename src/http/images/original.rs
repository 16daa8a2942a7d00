//! `GET /v1/images/{id}/original`: the registered file, to its owner only (another tenant gets
//! the same `404` as an unknown id).

use actix_web::{HttpResponse, web};
use image::ImageFormat;

use crate::domain::EvidenceKind;
use crate::http::auth::Caller;
use crate::http::evidence::owned_record;
use crate::http::upload::Limits;
use crate::problem::Problem;
use crate::store::Store;

/// The original file as uploaded.
#[utoipa::path(
    get,
    path = "/v1/images/{id}/original",
    tag = "images",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The image record's id.")),
    responses((status = 200, description = "The file as uploaded (`image/jpeg`, `image/png` or `image/webp`).",
        body = String, content_type = "image/jpeg", example = json!("(the picture's bytes)"))),
)]
pub async fn original(
    caller: Caller,
    id: web::Path<String>,
    store: web::Data<Store>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, Problem> {
    let record = owned_record(&store, &caller, &id).await?;
    if record.kind != EvidenceKind::Image {
        return Err(Problem::not_found());
    }
    let path = limits.blobs.join(record.owner.to_string()).join(record.content_hash.to_string());
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        // A picture registered by hash only (`POST /v1/evidence`) has no stored file.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Problem::not_found()),
        Err(e) => return Err(Problem::internal(&e.into())),
    };
    let format = record.metadata.as_ref().and_then(|m| m.get("image")?.get("format")?.as_str().map(str::to_owned));
    let media = format.and_then(ImageFormat::from_extension).map_or("application/octet-stream", |f| f.to_mime_type());
    Ok(HttpResponse::Ok()
        .content_type(media)
        .insert_header(("Content-Disposition", "attachment"))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(bytes))
}
