//! `POST /v1/images`: a merchant registers a picture (multipart `file`, `title`, `author`,
//! `public`); the registration itself is [`crate::service::images::register`].

use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::auth::Caller;
use crate::http::evidence::{EvidenceOut, idempotency_key};
use crate::http::multipart::Limits;
use crate::http::multipart::picture::read_registration;
use crate::images::Images;
use crate::ingest::Ingest;
use crate::problem::Problem;
use crate::service::images::{may_register, register};
use crate::store::Store;

/// Registers one picture (multipart `file`, `title`, `author`, `public`).
#[utoipa::path(
    post,
    path = "/v1/images",
    tag = "images",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200,
        description = "A repeat with the same key and form returns the first result.")),
    request_body(content = crate::http::openapi::ImageUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "The `image` record, `pending`; its metadata holds the fingerprints.",
        body = EvidenceOut, example = json!(crate::http::openapi::examples::image_out()))),
)]
pub async fn create(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
    images: web::Data<Images>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, Problem> {
    may_register(&caller)?;
    let idem = idempotency_key(&req)?;
    let started = Instant::now();
    let registration = read_registration(&req, payload, &limits, idem).await?;
    images.observe("receive", started.elapsed());
    let record = register(&store, &ingest, &images, &limits.blobs(), &caller, registration).await?;
    Ok(HttpResponse::Created().json(EvidenceOut::from(record)))
}
