//! Static assets from `public/`, built into the binary so that it serves them from anywhere.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

const STYLE: &str = include_str!("../../public/style.css");
/// The `/register` page's uploader.
const REGISTER_JS: &str = include_str!("../../public/register.js");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/public/style.css", web::get().to(style)).route("/public/register.js", web::get().to(register_js));
}

async fn style() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLE)
}

async fn register_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", REGISTER_JS)
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}
