//! The OpenAPI 3.1 document of the JSON API, generated from the handlers' `#[utoipa::path]`
//! annotations and the response types, served at `GET /openapi.json` (viewer: `/docs`).
//!
//! The problem responses of each route come from one table, [`ERRORS`] (in `api_doc/errors.rs`):
//! per route, the statuses and the `code`s each can carry (the document gives every one as an
//! enum, so a client, or schemathesis, can check them). `tests/api/openapi.rs` checks that the document,
//! [`ERRORS`] and [`NOT_IN_DOCUMENT`] together cover exactly the routes registered in `src/`,
//! that the document equals the committed `docs/openapi.json`, and that `docs/errors.md`
//! lists every code the code base emits.

use actix_web::{HttpResponse, web};
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use super::openapi::ProblemDoc;
use crate::problem::FieldError;

mod errors;

pub use errors::{ERRORS, NOT_IN_DOCUMENT, StatusCodes, UNAVAILABLE, WITNESS_PROCESS};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(openapi_json));
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API.", body = Object,
        example = json!({ "openapi": "3.1.0", "info": { "title": "Notarium API" } }))),
)]
async fn openapi_json() -> HttpResponse {
    static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(json_text);
    HttpResponse::Ok().content_type("application/json").body(TEXT.as_str())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Notarium API",
        description = "Evidence notarization: register a BLAKE3 hash (or upload a file), get a receipt once the \
            record's block is co-signed by a court and a notary witness, verify receipts offline or here.\n\n\
            Authentication: `Authorization: Bearer <API key>` (keys look like `ntk_…`). Errors are \
            `application/problem+json` with a stable `code`; docs/errors.md lists every code.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        super::evidence::create,
        super::evidence::list,
        super::evidence::batch,
        super::evidence::lookup,
        super::evidence::get,
        super::invoices::issue::issue,
        super::invoices::issue::list,
        super::invoices::issue::detail,
        super::invoices::issue::erase,
        super::invoices::check::check,
        super::invoices::claims::claim,
        super::invoices::claims::withdraw,
        super::invoices::claims::void,
        super::images::register::create,
        super::images::search::search,
        super::images::original::original,
        super::receipts::receipt_json,
        super::receipts::receipt_zip,
        super::verify::verify_receipt,
        super::blocks::headers,
        super::blocks::latest,
        super::blocks::at_height,
        super::ops::witnesses,
        super::ops::healthz,
        super::ops::readyz,
        super::ops::metrics,
        openapi_json,
    ),
    modifiers(&Finish),
    tags(
        (name = "evidence", description = "Registering and reading the caller's records."),
        (name = "invoices", description = "Medical e-invoices: hospitals issue, void and erase; insurers check, \
            claim and withdraw (docs/invoices.md)."),
        (name = "images", description = "Merchants register pictures; anyone finds who registered a picture, \
            or a re-encoded, resized, cropped, mirrored or stamped copy of it, first (docs/fingerprints.md)."),
        (name = "receipts", description = "Receipts of anchored records."),
        (name = "verify", description = "Checking a receipt (anyone)."),
        (name = "blocks", description = "The chain of blocks (anyone)."),
        (name = "operations", description = "Health, readiness, witnesses, metrics, this document."),
    ),
)]
struct ApiDoc;

/// The document.
pub fn document() -> Document {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The document as served: pretty JSON, keys in declaration order, a final newline.
pub fn json_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).expect("the document serialises");
    text.push('\n');
    text
}

/// Adds the security scheme and, from [`ERRORS`], the problem responses of every route.
struct Finish;

impl Modify for Finish {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.schemas.insert(ProblemDoc::name().into_owned(), ProblemDoc::schema());
        components.schemas.insert(FieldError::name().into_owned(), FieldError::schema());
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("ntk_…")
                    .description(Some("An API key, `ntk_` + 43 base64url characters, shown once when created."))
                    .build(),
            ),
        );
        for (method, path, errors) in ERRORS {
            let Some(op) = operation(doc, method, path) else {
                panic!("ERRORS names {method} {path}, which the document does not have");
            };
            for (status, codes) in *errors {
                let key = status.to_string();
                assert!(!op.responses.responses.contains_key(&key), "{method} {path}: {status} is given twice");
                op.responses.responses.insert(key, RefOr::T(problem_response(*status, codes)));
            }
            // Wherever a route can fail inside, its storage can be unavailable for a moment
            // (`/readyz` documents its own 503).
            let (status, codes) = UNAVAILABLE;
            if errors.iter().any(|(s, _)| *s == 500) && !op.responses.responses.contains_key(&status.to_string()) {
                op.responses.responses.insert(status.to_string(), RefOr::T(problem_response(status, codes)));
            }
        }
    }
}

fn operation<'a>(doc: &'a mut Document, method: &str, path: &str) -> Option<&'a mut Operation> {
    let item = doc.paths.paths.get_mut(path)?;
    match method {
        "GET" => item.get.as_mut(),
        "POST" => item.post.as_mut(),
        "PUT" => item.put.as_mut(),
        "DELETE" => item.delete.as_mut(),
        "PATCH" => item.patch.as_mut(),
        _ => None,
    }
}

fn problem_response(status: u16, codes: &[&str]) -> utoipa::openapi::Response {
    let narrowed = ObjectBuilder::new()
        .property("status", ObjectBuilder::new().schema_type(Type::Integer).enum_values(Some([status])))
        .property("code", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(codes.iter().copied())));
    let schema = AllOfBuilder::new().item(Ref::from_schema_name("Problem")).item(narrowed);
    let codes: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
    ResponseBuilder::new()
        .description(format!("Problem: {} (docs/errors.md).", codes.join(", ")))
        .content("application/problem+json", ContentBuilder::new().schema(Some(schema)).build())
        .build()
}
