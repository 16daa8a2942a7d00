//! `POST /v1/verify` (anyone): a receipt as JSON, or multipart `receipt` (JSON or zip) with an
//! optional `file` → the same report as `notarium verify --json`.

use actix_web::{HttpRequest, HttpResponse, web};

use super::body::{media_type, read_limited, unsupported};
use super::multipart::{Field, Part, Sent, Spec, Value, read};
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
    text_fields: &[&'static str],
) -> Result<VerifyForm, Problem> {
    let mut fields = vec![
        Field::new("receipt", Part::Bytes { max: MAX_RECEIPT_BYTES, what: "the receipt" }),
        Field::new("file", Part::Hash { max: max_file }),
    ];
    fields.extend(text_fields.iter().map(|name| Field::new(name, Part::Text { max: MAX_TEXT_FIELD })));
    let spec = Spec { fields: &fields, takes: "receipt and file", blobs: None, csrf: None };
    let mut form = read(req, payload, &spec).await?;
    let sent = |s: &Sent| !s.is_blank_file_input();
    let receipt = form.take("receipt").filter(sent).and_then(Sent::into_bytes);
    let file_hash = match form.take("file").filter(sent).map(|s| s.value) {
        Some(Value::Hashed { hash, .. }) => Some(hash),
        _ => None,
    };
    let texts = text_fields.iter().filter_map(|name| Some((name.to_string(), form.text(name)?))).collect();
    Ok(VerifyForm { receipt, file_hash, texts })
}

const MAX_TEXT_FIELD: usize = 4096;
