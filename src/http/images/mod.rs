//! `/v1/images`: a merchant registers a picture (its record commits to its fingerprints), and
//! anyone searches for who registered a picture first. The owner fetches the original back.
//! The operations are [`crate::service::images`]; here each error type becomes its problem.

pub(crate) mod original;
pub(crate) mod register;
pub(crate) mod search;

use std::net::{IpAddr, Ipv4Addr};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use serde_json::json;

use crate::http::limits::client_key;
use crate::images::analyse::Client;
use crate::images::queue::Refused;
use crate::problem::Problem;
pub use crate::service::images::ACCEPTED;
use crate::service::images::{OriginalError, PictureError, RegisterError, SearchError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/images", web::post().to(register::create))
        .route("/v1/images/search", web::post().to(search::search))
        .route("/v1/images/{id}/original", web::get().to(original::original));
}

/// Who an anonymous request is to the decode queue: its address, keyed as the rate limits key
/// it (an IPv6 client by its /64 prefix).
pub(crate) fn anonymous_client(req: &HttpRequest) -> Client {
    Client::Address(req.peer_addr().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |peer| client_key(peer.ip())))
}

/// `429 decode_busy` (this client's pictures fill its waiting allowance) or `503
/// decode_queue_full` (all clients' fill the queue), both with `Retry-After: 1`.
impl From<Refused> for Problem {
    fn from(e: Refused) -> Self {
        let detail = e.to_string();
        let problem = match e {
            Refused::ClientBusy => Problem::new(StatusCode::TOO_MANY_REQUESTS, "decode_busy", detail),
            Refused::Full => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "decode_queue_full", detail),
        };
        Problem { retry_after: Some(1), ..problem }
    }
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
            RegisterError::Busy(e) => e.into(),
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
            SearchError::Busy(e) => e.into(),
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
