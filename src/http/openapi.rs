//! The OpenAPI 3.1 document of the JSON API, generated from the handlers' `#[utoipa::path]`
//! annotations and the response types, served at `GET /openapi.json` (viewer: `/docs`).
//!
//! The problem responses of each route come from one table, [`ERRORS`]: per route, the
//! statuses and the `code`s each can carry (the document gives every one as an enum, so a
//! client, or schemathesis, can check them). `tests/api/openapi.rs` checks that the document,
//! [`ERRORS`] and [`NOT_IN_DOCUMENT`] together cover exactly the routes registered in `src/`,
//! that the document equals the committed `docs/openapi.json`, and that `docs/errors.md`
//! lists every code the code base emits.

use std::borrow::Cow;

use actix_web::{HttpResponse, web};
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AllOfBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use crate::domain::{EvidenceId, Hash, LogName, Salt, TenantId, Timestamp, WitnessName};
use crate::problem::FieldError;

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

/// Routes registered in the application that are not part of the API document: the HTML
/// pages, their assets, and the document's viewer. (method, path) as registered.
pub const NOT_IN_DOCUMENT: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/e/{id}"),
    ("GET", "/e/{id}/status.json"),
    ("GET", "/e/{id}/{file}"),
    ("GET", "/verify"),
    ("POST", "/verify"),
    ("GET", "/blocks"),
    ("GET", "/blocks/{height}"),
    ("GET", "/invoices"),
    ("POST", "/invoices/void"),
    ("GET", "/invoices/check"),
    ("POST", "/invoices/check"),
    ("POST", "/invoices/claim"),
    ("GET", "/register"),
    ("POST", "/register/upload"),
    ("GET", "/search"),
    ("POST", "/search"),
    ("GET", "/public/style.css"),
    ("GET", "/public/register.js"),
    ("GET", "/docs"),
    ("GET", "/docs/swagger-ui.css"),
    ("GET", "/docs/swagger-ui-bundle.js"),
    ("GET", "/docs/init.js"),
];

/// Routes of the witness process (`notarium witness serve`, `src/witness/server.rs`): another
/// server with its own credentials, not served by this application (docs/formats.md §5).
pub const WITNESS_PROCESS: &[(&str, &str)] = &[("POST", "/witness/v1/cosign"), ("GET", "/witness/v1/state")];

const AUTH: StatusCodes = (401, &["missing_api_key", "invalid_api_key", "invalid_client_certificate"]);
/// Over a tenant's quota, or an anonymous route's per-IP limit (`src/http/limits.rs`).
/// A route for another tenant role (`http::invoices::require_role`).
const ROLE: StatusCodes = (403, &["role_not_allowed"]);
/// An invoice record whose content the hospital erased: no new receipt.
const GONE: StatusCodes = (410, &["content_erased"]);
const LIMITED: StatusCodes = (429, &["rate_limited"]);
const INTERNAL: StatusCodes = (500, &["internal_error"]);
const NOT_FOUND: StatusCodes = (404, &["not_found"]);
const BODY: [StatusCodes; 3] = [(413, &["too_large"]), (415, &["unsupported_media_type"]), (422, &["invalid_field"])];

/// The routes that create records (one, or a batch).
const CREATES: &[StatusCodes] = &[
    (400, &["malformed_body", "invalid_idempotency_key"]),
    AUTH,
    LIMITED,
    (409, &["idempotency_key_reused"]),
    BODY[0],
    BODY[1],
    BODY[2],
    INTERNAL,
];

/// A problem status and the codes a route can answer with it.
pub type StatusCodes = (u16, &'static [&'static str]);

/// Per route (method, path): the problem statuses it can answer and the codes of each.
pub const ERRORS: &[(&str, &str, &[StatusCodes])] = &[
    ("POST", "/v1/evidence", CREATES),
    ("POST", "/v1/evidence/batch", CREATES),
    ("GET", "/v1/evidence", &[(400, &["invalid_query", "invalid_limit", "invalid_cursor"]), AUTH, LIMITED, INTERNAL]),
    ("POST", "/v1/evidence/lookup", &[(400, &["malformed_body"]), AUTH, LIMITED, BODY[0], BODY[1], BODY[2], INTERNAL]),
    ("GET", "/v1/evidence/{id}", &[AUTH, LIMITED, NOT_FOUND, INTERNAL]),
    (
        "GET",
        "/v1/evidence/{id}/receipt",
        &[(400, &["invalid_query", "invalid_wait", "invalid_disclose"]), AUTH, LIMITED, NOT_FOUND, GONE, INTERNAL],
    ),
    (
        "GET",
        "/v1/evidence/{id}/receipt.zip",
        &[(400, &["invalid_query", "invalid_wait", "invalid_disclose"]), AUTH, LIMITED, NOT_FOUND, GONE, INTERNAL],
    ),
    (
        "POST",
        "/v1/invoices",
        &[
            (400, &["malformed_body"]),
            AUTH,
            (403, &["role_not_allowed", "issuer_not_yours"]),
            (409, &["invoice_exists"]),
            LIMITED,
            BODY[0],
            BODY[1],
            (422, &["invalid_field", "invalid_signature"]),
            INTERNAL,
        ],
    ),
    (
        "GET",
        "/v1/invoices",
        &[(400, &["invalid_query", "invalid_limit", "invalid_cursor"]), AUTH, ROLE, LIMITED, INTERNAL],
    ),
    ("GET", "/v1/invoices/{issuer}/{code}/{number}", &[AUTH, ROLE, NOT_FOUND, LIMITED, INTERNAL]),
    ("DELETE", "/v1/invoices/{issuer}/{code}/{number}/content", &[AUTH, ROLE, NOT_FOUND, LIMITED, INTERNAL]),
    (
        "POST",
        "/v1/invoices/check",
        &[(400, &["malformed_body"]), AUTH, ROLE, LIMITED, BODY[0], BODY[1], BODY[2], INTERNAL],
    ),
    (
        "POST",
        "/v1/invoices/{issuer}/{code}/{number}/claims",
        &[
            (400, &["malformed_body"]),
            AUTH,
            ROLE,
            NOT_FOUND,
            (409, &["invoice_voided", "amount_exceeds_remaining", "claim_reference_reused"]),
            LIMITED,
            BODY[0],
            BODY[1],
            BODY[2],
            INTERNAL,
        ],
    ),
    (
        "POST",
        "/v1/invoices/{issuer}/{code}/{number}/claims/{claim_id}/withdraw",
        &[AUTH, ROLE, NOT_FOUND, (409, &["claim_withdrawn"]), LIMITED, INTERNAL],
    ),
    (
        "POST",
        "/v1/invoices/{issuer}/{code}/{number}/void",
        &[
            (400, &["malformed_body"]),
            AUTH,
            ROLE,
            NOT_FOUND,
            (409, &["invoice_voided", "invoice_claimed"]),
            LIMITED,
            BODY[0],
            BODY[1],
            BODY[2],
            INTERNAL,
        ],
    ),
    (
        "POST",
        "/v1/images",
        &[
            (400, &["malformed_body", "invalid_idempotency_key"]),
            AUTH,
            ROLE,
            (409, &["idempotency_key_reused"]),
            LIMITED,
            BODY[0],
            BODY[1],
            (422, &["invalid_field", "empty_file", "image_too_large", "image_corrupt"]),
            INTERNAL,
        ],
    ),
    (
        "POST",
        "/v1/images/search",
        &[
            (400, &["malformed_body"]),
            LIMITED,
            BODY[0],
            BODY[1],
            (422, &["invalid_field", "empty_file", "image_too_large", "image_corrupt"]),
            INTERNAL,
        ],
    ),
    ("GET", "/v1/images/{id}/original", &[AUTH, LIMITED, NOT_FOUND, INTERNAL]),
    ("POST", "/v1/verify", &[(400, &["malformed_body"]), BODY[0], BODY[1], BODY[2], LIMITED, INTERNAL]),
    // Anyone may call these; a request that also sends a tenant's key is counted against that
    // tenant's quota, hence 429 (and 500 if the key cannot be looked up).
    ("GET", "/v1/blocks/latest", &[NOT_FOUND, LIMITED, INTERNAL]),
    ("GET", "/v1/blocks/{height}", &[NOT_FOUND, LIMITED, INTERNAL]),
    ("GET", "/v1/witnesses", &[LIMITED, INTERNAL]),
    ("GET", "/healthz", &[LIMITED, INTERNAL]),
    ("GET", "/readyz", &[LIMITED, INTERNAL]),
    ("GET", "/metrics", &[NOT_FOUND, LIMITED, INTERNAL]),
    ("GET", "/openapi.json", &[LIMITED, INTERNAL]),
];

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

/// An error (RFC 9457 problem details) with a stable machine `code`.
#[derive(ToSchema)]
#[schema(as = Problem)]
#[allow(dead_code)] // a schema only: the body is built by `Problem::body`
pub struct ProblemDoc {
    /// `/docs/errors#<code>`.
    #[schema(rename = "type", example = "/docs/errors#not_found")]
    type_: String,
    /// The HTTP reason phrase of `status`.
    #[schema(example = "Not Found")]
    title: String,
    #[schema(example = 404)]
    status: u16,
    /// What is wrong, for people. For a 5xx only "internal error; reference <id>".
    #[schema(example = "no such resource")]
    detail: String,
    /// The stable machine code (docs/errors.md).
    #[schema(example = "not_found")]
    code: String,
    /// For `422 invalid_field`: one entry per field.
    errors: Option<Vec<FieldError>>,
}

/// The kinds `/v1/evidence` registers (`GENERIC_KINDS`); invoices and claims have their own routes.
#[derive(ToSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GenericKind {
    Document,
    Contract,
    Image,
}

/// `all` (the default) or `none`.
#[derive(ToSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Disclose {
    All,
    None,
}

/// A file uploaded for registration: the server hashes it while it streams to disk and keeps
/// the original; `metadata.file` (name, size, SHA-256) is filled in by the server.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: read by `upload::receive`
pub struct EvidenceUpload {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `document` (the default), `contract` or `image`.
    kind: Option<GenericKind>,
    /// A JSON object, as text.
    metadata: Option<String>,
}

/// A picture registered by a merchant: JPEG, PNG or WebP, at most `max_image_bytes` (30 MiB)
/// and `max_image_pixels` (100 megapixels).
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: read by `multipart::picture::read_registration`
pub struct ImageUpload {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// At most 200 characters; the file name without its extension by default. Public when
    /// `public` is true.
    title: Option<String>,
    /// At most 200 characters. Public when `public` is true.
    author: Option<String>,
    /// `true` shows title, author, the owner's name and a thumbnail on public pages and in
    /// search results (default `false`).
    public: Option<bool>,
}

/// A suspect picture: JPEG, PNG or WebP.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: read by `multipart::picture::read_suspect`
pub struct ImageSearchUpload {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A receipt (`.json` or `.zip`) and, optionally, the original file to check against it.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: read by `verify::read_form`
pub struct VerifyUpload {
    #[schema(value_type = String, format = Binary)]
    receipt: Vec<u8>,
    #[schema(value_type = Option<String>, format = Binary)]
    file: Option<Vec<u8>>,
}

/// A string schema with a pattern, a description and an example.
fn text(pattern: &str, format: Option<SchemaFormat>, description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(format)
        .pattern(Some(pattern))
        .description(Some(description))
        .examples([example])
        .into()
}

/// The schemas of the types whose JSON form is their canonical text (`domain::text`).
macro_rules! text_schema {
    ($($ty:ty => $name:literal, $schema:expr;)*) => {$(
        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                $schema
            }
        }
        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    )*};
}

text_schema! {
    Hash => "Hash", text("^[0-9a-f]{64}$", None, "32 bytes as 64 lowercase hex digits (BLAKE3).", examples::HASH);
    Salt => "Salt", text("^[0-9a-f]{64}$", None, "32 random bytes as 64 lowercase hex digits.", examples::HASH);
    EvidenceId => "EvidenceId", text(UUID, Some(SchemaFormat::Custom("uuid".into())), "A UUIDv7, lowercase, hyphenated.", examples::ID);
    TenantId => "TenantId", text(UUID, Some(SchemaFormat::Custom("uuid".into())), "A UUIDv7, lowercase, hyphenated.", examples::TENANT);
    Timestamp => "Timestamp", text(
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
        Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)),
        "RFC 3339 in UTC with milliseconds.",
        examples::TIME,
    );
    LogName => "LogName", text("^[a-z0-9.-]+(/[a-z0-9.-]+)*$", None, "The name of the log.", "notarium.example/v1");
    WitnessName => "WitnessName", text("^[a-z0-9][a-z0-9.-]{0,63}$", None, "A witness's name.", "court");
    crate::domain::statements::Statement => "Statement", ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("One plain English sentence."))
        .examples(["The file's BLAKE3 hash was registered no later than the block's time."])
        .into();
}

const UUID: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

/// The examples of the document.
pub mod examples;
