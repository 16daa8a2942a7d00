//! `/v1/images`: a merchant registers a picture (its record commits to its fingerprints), and
//! anyone searches for who registered a picture first. The owner fetches the original back.
//! The operations are [`crate::service::images`]; here each error type becomes its problem.

pub(crate) mod original;
pub(crate) mod register;
pub(crate) mod search;

use actix_web::http::StatusCode;
use actix_web::web;
use serde_json::json;

use crate::problem::Problem;
pub use crate::service::images::ACCEPTED;
use crate::service::images::{OriginalError, PictureError, RegisterError, SearchError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/images", web::post().to(register::create))
        .route("/v1/images/search", web::post().to(search::search))
        .route("/v1/images/{id}/original", web::get().to(original::original));
}

impl From<PictureError> for Problem {
    fn from(e: PictureError) -> Self {
        let detail = e.to_string();
        match e {
            PictureError::Empty => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "empty_file", detail),
            PictureError::NotAPicture { .. } => {
                Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", detail)
                    .with("accepted", json!(ACCEPTED))
            }
            PictureError::TooManyPixels { max_pixels, .. } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "image_too_large", detail).with("max_pixels", max_pixels)
            }
            PictureError::Corrupt { .. } => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "image_corrupt", detail),
        }
    }
}

impl From<RegisterError> for Problem {
    fn from(e: RegisterError) -> Self {
        let detail = e.to_string();
        match e {
            RegisterError::RoleForbidden { .. } => Problem::new(StatusCode::FORBIDDEN, "role_not_allowed", detail),
            RegisterError::Picture(e) => e.into(),
            RegisterError::MetadataTooLarge => Problem::invalid_field("/metadata", "too_large", detail),
            RegisterError::KeyReused => Problem::new(StatusCode::CONFLICT, "idempotency_key_reused", detail),
            RegisterError::Internal(e) => Problem::internal(&e),
        }
    }
}

impl From<SearchError> for Problem {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Picture(e) => e.into(),
            SearchError::Internal(e) => Problem::internal(&e),
        }
    }
}

impl From<OriginalError> for Problem {
    fn from(e: OriginalError) -> Self {
        match e {
            OriginalError::NotFound => Problem::not_found(),
            OriginalError::Internal(e) => Problem::internal(&e),
        }
    }
}
