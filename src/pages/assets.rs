//! Static assets from `public/`, built into the binary so that it serves them from anywhere.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

const STYLE: &str = include_str!("../../public/style.css");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/public/style.css", web::get().to(style));
}

async fn style() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(STYLE)
}
