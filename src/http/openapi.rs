//! What the handlers' `#[utoipa::path]` annotations name besides their own types: the
//! schema-only types (multipart uploads, enums given as text), the schemas of the domain types
//! whose JSON form is their canonical text, and the examples. The document that lists the
//! handlers is `api_doc`, so the handlers depend on this module and never on the document.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::domain::{EvidenceId, Hash, LogName, Salt, TenantId, Timestamp, WitnessName};
use crate::problem::FieldError;

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
#[allow(dead_code)] // a schema only: read by `evidence::upload::receive`
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
