//! `GET /docs`: Swagger UI on `/openapi.json`, served entirely by the binary (vendored from
//! the npm package `swagger-ui-dist`, `public/swagger/`): no CDN, and a CSP of its own that
//! allows only this site's scripts and styles (the init script is a file, not inline).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/docs", web::get().to(page))
        .route("/docs/swagger-ui.css", web::get().to(|| asset("text/css; charset=utf-8", CSS)))
        .route("/docs/swagger-ui-bundle.js", web::get().to(|| asset(JS, BUNDLE)))
        .route("/docs/init.js", web::get().to(|| asset(JS, INIT)));
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &[u8] = include_bytes!("../../public/swagger/swagger-ui.css");
const BUNDLE: &[u8] = include_bytes!("../../public/swagger/swagger-ui-bundle.js");
const INIT: &[u8] = include_bytes!("../../public/swagger/init.js");

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Notarium API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"#;

/// Scripts, styles, fetches only from this origin; Swagger UI's icons are inline SVG and data: images.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; font-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .body(PAGE)
}

async fn asset(content_type: &'static str, bytes: &'static [u8]) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")))
        .body(bytes)
}
