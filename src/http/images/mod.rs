//! `/v1/images`: a merchant registers a picture (its record commits to its fingerprints), and
//! anyone searches for who registered a picture first. The owner fetches the original back.

mod form;
pub(crate) mod original;
pub(crate) mod register;
pub(crate) mod search;

use actix_web::http::StatusCode;
use actix_web::web;
use serde_json::json;

pub use form::{ImageForm, read_form};
pub use register::register_image;

use crate::fingerprint::decode::DecodeError;
use crate::problem::Problem;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/images", web::post().to(register::create))
        .route("/v1/images/search", web::post().to(search::search))
        .route("/v1/images/{id}/original", web::get().to(original::original));
}

/// Media types of the pictures accepted.
pub const ACCEPTED: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// An upload that is not a usable picture.
pub fn decode_problem(error: DecodeError) -> Problem {
    match &error {
        DecodeError::Empty => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "empty_file", "the file is empty"),
        DecodeError::Unsupported { .. } => {
            Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", error.to_string())
                .with("accepted", json!(ACCEPTED))
        }
        DecodeError::TooLarge { max_pixels, .. } => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "image_too_large", error.to_string())
                .with("max_pixels", *max_pixels)
        }
        DecodeError::Corrupt { .. } => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "image_corrupt", error.to_string())
        }
    }
}
