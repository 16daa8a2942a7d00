//! Multipart upload to `POST /v1/evidence`: the `file` field is streamed to a temporary file
//! and hashed (BLAKE3 and SHA-256) while it arrives, never held whole in memory; the original
//! is then kept content-addressed for its owner.

use actix_web::{HttpRequest, web};
use serde_json::{Value, json};

use super::{EvidenceIn, checked};
use crate::domain::canonical::{canonical_json, unique_keys_metadata};
use crate::domain::{EvidenceKind, Hash, Metadata};
use crate::http::auth::Caller;
use crate::http::multipart::{Field, FormError, Limits, MAX_TEXT_FIELD, Part, Spec, read};
use crate::problem::Problem;
use crate::store::NewEvidence;

/// Reads the form, keeps the original, and returns the item and the request's hash (for
/// `Idempotency-Key`).
pub async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    caller: &Caller,
    limits: &Limits,
) -> Result<(NewEvidence, Hash), Problem> {
    let fields = [
        Field::once("file", Part::File { max: limits.max_upload_bytes, max_name: usize::MAX }),
        Field::new("kind", Part::Text { max: MAX_TEXT_FIELD }),
        Field::new("metadata", Part::Text { max: MAX_TEXT_FIELD }),
    ];
    let blobs = limits.blobs();
    let spec = Spec { fields: &fields, takes: "file, kind and metadata", blobs: Some(&blobs), csrf: None };
    let mut form = read(req, payload, &spec).await?;
    let kind = match form.text("kind") {
        Some(text) => text.parse().map_err(|e| Problem::invalid_field("/kind", "invalid", format!("{e}")))?,
        None => EvidenceKind::Document,
    };
    let metadata = match form.text("metadata") {
        Some(text) => {
            let mut de = serde_json::Deserializer::from_str(&text);
            unique_keys_metadata(&mut de)
                .and_then(|m| de.end().map(|()| m))
                .map_err(|e| Problem::invalid_field("/metadata", "invalid", format!("metadata: {e}")))?
        }
        None => None,
    };
    let file = form.file("file").ok_or(FormError::Missing("file"))?;
    if file.size == 0 {
        return Err(Problem::invalid_field("/file", "empty_file", "the file is empty"));
    }
    let mut metadata: Metadata = metadata.unwrap_or_default();
    if metadata.contains_key("file") {
        return Err(Problem::invalid_field("/metadata/file", "reserved", "metadata.file is filled in by the server"));
    }
    metadata.insert("file".into(), json!({ "name": file.name, "size": file.size, "sha256": file.sha256 }));
    let item = checked(EvidenceIn { kind, content_hash: file.blake3, metadata: Some(metadata) })?;
    blobs.keep(file.temp, &caller.0.id, &file.blake3).await?;
    let mut request = format!("multipart\n{}\n{}\n", item.content_hash, item.kind).into_bytes();
    request.extend(canonical_json(&Value::Object(item.metadata.clone().unwrap_or_default())));
    Ok((item, Hash::of(&request)))
}
