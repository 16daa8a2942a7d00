//! The answer when no route matched: `405 method_not_allowed` with `Allow` for a path that a
//! route serves under other methods (`TRACE`, `DELETE` on a read-only resource, ...), else
//! `404 not_found`; both problem+json.
//!
//! The methods of each path come from the tables that `tests/api/openapi.rs` proves equal to
//! the routes registered in `src/`: the documented routes ([`ERRORS`]) and the others
//! ([`NOT_IN_DOCUMENT`]).

use std::sync::LazyLock;

use actix_web::dev::ResourceDef;
use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use super::api_doc::{ERRORS, NOT_IN_DOCUMENT};
use crate::problem::Problem;

/// The default service of the API's application.
pub async fn unmatched(req: HttpRequest) -> HttpResponse {
    let allowed = allowed_methods(req.match_info().as_str());
    if allowed.is_empty() {
        return Problem::not_found().error_response();
    }
    let allow = allowed.join(", ");
    let detail = format!("{} is not allowed here; allowed: {allow}", req.method());
    let mut res = Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", detail).error_response();
    if let Ok(value) = HeaderValue::from_str(&allow) {
        res.headers_mut().insert(ALLOW, value);
    }
    res
}

/// Every route pattern with its method, parsed once.
static ROUTES: LazyLock<Vec<(&'static str, ResourceDef)>> = LazyLock::new(|| {
    let documented = ERRORS.iter().map(|(method, path, _)| (*method, *path));
    documented.chain(NOT_IN_DOCUMENT.iter().copied()).map(|(method, path)| (method, ResourceDef::new(path))).collect()
});

/// The methods some route serves `path` under, sorted, each once.
fn allowed_methods(path: &str) -> Vec<&'static str> {
    let mut methods: Vec<_> = ROUTES.iter().filter(|(_, def)| def.is_match(path)).map(|(m, _)| *m).collect();
    methods.sort_unstable();
    methods.dedup();
    methods
}

#[cfg(test)]
mod tests {
    use super::allowed_methods;

    #[test]
    fn methods_of_a_path_come_from_every_pattern_it_matches() {
        assert_eq!(allowed_methods("/v1/evidence"), ["GET", "POST"]);
        // `/v1/evidence/{id}` matches too.
        assert_eq!(allowed_methods("/v1/evidence/batch"), ["GET", "POST"]);
        assert_eq!(allowed_methods("/healthz"), ["GET"]);
        assert_eq!(allowed_methods("/verify"), ["GET", "POST"]);
        assert!(allowed_methods("/nowhere").is_empty());
        assert!(allowed_methods("/v1/evidence/a/b/c").is_empty());
    }
}
