//! The security headers every page carries.

use actix_web::HttpResponseBuilder;
use actix_web::http::header::{self, HeaderValue};

/// The pages' Content-Security-Policy: no script, only this site's style sheet and images.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The policy of a page with a script (`/register`): [`CSP`] plus this site's script files
/// and requests to this site.
pub const CSP_WITH_SCRIPTS: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Pages load only this site's own style sheet and images, are never framed, and do not
/// leak their address to other sites.
pub fn security_headers(res: &mut HttpResponseBuilder) {
    res.insert_header((header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
}
