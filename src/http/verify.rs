//! `POST /v1/verify` (anyone): a receipt as JSON, or multipart `receipt` (JSON or zip) with an
//! optional `file` → the same report as `notarium verify --json`.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

use super::body::{collect_limited, media_type, read_limited, unsupported};
use crate::crypto::TrustStore;
use crate::domain::Hash;
use crate::domain::verify::VerifyReport;
use crate::problem::Problem;
use crate::service::verify::{VerifyError, check};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/verify", web::post().to(verify_receipt));
}

pub use crate::service::verify::VerifyLimits;

/// Receipts sent to this anonymous route: a real one is a few kilobytes.
pub const MAX_RECEIPT_BYTES: usize = 1 << 20;

/// Checks a receipt offline-style under the service's trust anchors and quorum policy;
/// nothing is stored. An invalid receipt is still `200` with `valid: false`.
#[utoipa::path(
    post,
    path = "/v1/verify",
    tag = "verify",
    request_body(content(
        (crate::domain::Receipt = "application/json", example = json!(super::openapi::examples::receipt())),
        (super::openapi::VerifyUpload = "multipart/form-data"),
    )),
    responses((status = 200, description = "The report, as `notarium verify --json` prints it.", body = VerifyReport,
        example = json!(super::openapi::examples::verify_report()))),
)]
async fn verify_receipt(
    req: HttpRequest,
    payload: web::Payload,
    trust: web::Data<TrustStore>,
    limits: web::Data<VerifyLimits>,
) -> Result<HttpResponse, Problem> {
    let (receipt_bytes, file_hash) = match media_type(&req).as_str() {
        "application/json" => (read_limited(payload, MAX_RECEIPT_BYTES).await?.to_vec(), None),
        "multipart/form-data" => {
            let form = read_form(&req, payload, limits.max_file_bytes, &[]).await?;
            let receipt = form
                .receipt
                .ok_or_else(|| Problem::invalid_field("/receipt", "missing_field", "the form has no receipt field"))?;
            (receipt, form.file_hash)
        }
        other => return Err(unsupported(other, "application/json or multipart/form-data")),
    };
    Ok(HttpResponse::Ok().json(check(&receipt_bytes, file_hash, &trust, &limits)?))
}

impl From<VerifyError> for Problem {
    fn from(e: VerifyError) -> Self {
        match e {
            VerifyError::Unusable(_) => Problem::invalid_field("/receipt", "unusable_receipt", e.to_string()),
        }
    }
}

/// A verification form as read.
#[derive(Debug, Default)]
pub struct VerifyForm {
    /// The `receipt` field's bytes (JSON or zip).
    pub receipt: Option<Vec<u8>>,
    /// BLAKE3 of the `file` field, streamed through, when one was sent.
    pub file_hash: Option<Hash>,
    /// The text fields asked for, by name.
    pub texts: Vec<(String, String)>,
}

/// Reads `receipt`, `file` and the named small text fields of a multipart form; any other
/// field is refused. A file part with no name and no bytes (a browser's empty file input)
/// counts as not sent.
pub async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    max_file: u64,
    text_fields: &[&str],
) -> Result<VerifyForm, Problem> {
    let mut form = Multipart::new(req.headers(), payload);
    let mut out = VerifyForm::default();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| Problem::malformed(format!("multipart: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let unnamed = field.content_disposition().and_then(|cd| cd.get_filename()).is_some_and(str::is_empty);
        match name.as_str() {
            "receipt" => {
                let bytes = collect_limited(&mut field, MAX_RECEIPT_BYTES, "the receipt").await?;
                out.receipt = (!(unnamed && bytes.is_empty())).then(|| bytes.to_vec());
            }
            "file" => {
                let (hash, size) = hash_limited(&mut field, max_file).await?;
                out.file_hash = (!(unnamed && size == 0)).then_some(hash);
            }
            other if text_fields.contains(&other) => {
                let bytes = collect_limited(&mut field, MAX_TEXT_FIELD, "a text field").await?;
                let text =
                    String::from_utf8(bytes.to_vec()).map_err(|_| Problem::malformed("a text field is not UTF-8"))?;
                out.texts.push((name, text));
            }
            other => {
                let message = "the form takes receipt and file";
                return Err(Problem::invalid_field(format!("/{other}"), "unknown_field", message));
            }
        }
    }
    Ok(out)
}

const MAX_TEXT_FIELD: usize = 4096;

/// BLAKE3 of a form field streamed through, refused past `limit` bytes.
async fn hash_limited(field: &mut actix_multipart::Field, limit: u64) -> Result<(Hash, u64), Problem> {
    let (mut hasher, mut size) = (blake3::Hasher::new(), 0u64);
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| Problem::malformed(format!("multipart: {e}")))?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(Problem::too_large(format!("the file is larger than {limit} bytes")));
        }
        hasher.update(&chunk);
    }
    Ok((hasher.finalize().into(), size))
}
