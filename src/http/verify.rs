//! `POST /v1/verify` (anyone): a receipt as JSON, or multipart `receipt` (JSON or zip) with an
//! optional `file` → the same report as `notarium verify --json`.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

use super::body::{collect_limited, media_type, read_limited, unsupported};
use crate::bundle::read_receipt;
use crate::crypto::{OpensslChecker, TrustStore};
use crate::domain::Hash;
use crate::domain::verify::{QuorumPolicy, VerifyInput, verify};
use crate::problem::Problem;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/verify", web::post().to(verify_receipt));
}

/// Files checked against a receipt may be as large as uploads.
pub struct VerifyLimits {
    pub max_file_bytes: u64,
    /// The service's own quorum policy.
    pub quorum: QuorumPolicy,
}

/// Receipts sent to this anonymous route: a real one is a few kilobytes.
pub const MAX_RECEIPT_BYTES: usize = 1 << 20;

async fn verify_receipt(
    req: HttpRequest,
    payload: web::Payload,
    trust: web::Data<TrustStore>,
    limits: web::Data<VerifyLimits>,
) -> Result<HttpResponse, Problem> {
    let (receipt_bytes, file_hash) = match media_type(&req).as_str() {
        "application/json" => (read_limited(payload, MAX_RECEIPT_BYTES).await?.to_vec(), None),
        "multipart/form-data" => read_form(&req, payload, limits.max_file_bytes).await?,
        other => return Err(unsupported(other, "application/json or multipart/form-data")),
    };
    let receipt = read_receipt(&receipt_bytes)
        .map_err(|e| Problem::invalid_field("/receipt", "unusable_receipt", format!("{e}")))?;
    let input = VerifyInput { file_hash, online_header: None };
    let report = verify(&receipt, &input, &OpensslChecker { trust: &trust }, &limits.quorum);
    Ok(HttpResponse::Ok().json(report))
}

async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    max_file: u64,
) -> Result<(Vec<u8>, Option<Hash>), Problem> {
    let mut form = Multipart::new(req.headers(), payload);
    let (mut receipt, mut file_hash) = (None, None);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| Problem::malformed(format!("multipart: {e}")))?;
        match field.name().unwrap_or_default() {
            "receipt" => receipt = Some(collect_limited(&mut field, MAX_RECEIPT_BYTES, "the receipt").await?.to_vec()),
            "file" => file_hash = Some(hash_limited(&mut field, max_file).await?),
            other => {
                let message = "the form takes receipt and file";
                return Err(Problem::invalid_field(format!("/{other}"), "unknown_field", message));
            }
        }
    }
    let receipt =
        receipt.ok_or_else(|| Problem::invalid_field("/receipt", "missing_field", "the form has no receipt field"))?;
    Ok((receipt, file_hash))
}

/// BLAKE3 of a form field streamed through, refused past `limit` bytes.
async fn hash_limited(field: &mut actix_multipart::Field, limit: u64) -> Result<Hash, Problem> {
    let (mut hasher, mut size) = (blake3::Hasher::new(), 0u64);
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| Problem::malformed(format!("multipart: {e}")))?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(Problem::too_large(format!("the file is larger than {limit} bytes")));
        }
        hasher.update(&chunk);
    }
    Ok(hasher.finalize().into())
}
