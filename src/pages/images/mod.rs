//! The picture pages (issue "Merchant photo copyright"): `/register`, where a logged-in
//! merchant drops photos and gets each one's certificate link once anchored, and `/search`,
//! where anyone learns who registered a picture first. Both run the service's operations
//! (`crate::service::images`) and put their refusals in words ([`words`]); [`picture`] is what
//! an image's certificate shows of the picture.

mod picture;
mod register;
mod search;
mod words;

use actix_web::web;

pub use picture::{PictureView, picture_view};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/register", web::get().to(register::page))
        .route("/register/upload", web::post().to(register::upload))
        .route("/search", web::get().to(search::form))
        .route("/search", web::post().to(search::submit));
}
