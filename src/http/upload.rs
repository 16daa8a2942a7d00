//! Multipart upload to `POST /v1/evidence`: the `file` field is streamed to a temporary file
//! and hashed (BLAKE3 and SHA-256) while it arrives, never held whole in memory; the original
//! is then kept content-addressed for its owner.

use std::io::Write;
use std::path::PathBuf;

use actix_multipart::Multipart;
use actix_web::{HttpRequest, web};
use anyhow::Context;
use futures_util::StreamExt;
use serde_json::{Value, json};

use super::auth::Caller;
use super::body::collect_limited;
use super::evidence::{EvidenceIn, checked};
use crate::domain::canonical::{canonical_json, unique_keys_metadata};
use crate::domain::{EvidenceKind, Hash, Metadata};
use crate::problem::Problem;
use crate::store::NewEvidence;

/// Where uploads go and how large they may be.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_upload_bytes: u64,
    /// Largest picture to `/v1/images` and its search.
    pub max_image_bytes: u64,
    /// Temporary files, on the same file system as `blobs` (so keeping one is a rename).
    pub tmp_dir: PathBuf,
    /// Originals: `<blobs>/<tenant id>/<BLAKE3 hex>`.
    pub blobs: PathBuf,
}

const MAX_TEXT_FIELD: usize = 64 << 10;

/// Reads the form, keeps the original, and returns the item and the request's hash (for
/// `Idempotency-Key`).
pub async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    caller: &Caller,
    limits: &Limits,
) -> Result<(NewEvidence, Hash), Problem> {
    let mut form = Multipart::new(req.headers(), payload);
    let mut file: Option<Received> = None;
    let mut kind = EvidenceKind::Document;
    let mut metadata: Option<Metadata> = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| Problem::malformed(format!("multipart: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if file.is_none() => {
                let file_name = field.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_owned);
                file = Some(stream_to_temp(&mut field, file_name, limits.max_upload_bytes, limits).await?);
            }
            "kind" => {
                let text = text_field(&mut field).await?;
                kind = text.parse().map_err(|e| Problem::invalid_field("/kind", "invalid", format!("{e}")))?;
            }
            "metadata" => {
                let text = text_field(&mut field).await?;
                let mut de = serde_json::Deserializer::from_str(&text);
                metadata = unique_keys_metadata(&mut de)
                    .and_then(|m| de.end().map(|()| m))
                    .map_err(|e| Problem::invalid_field("/metadata", "invalid", format!("metadata: {e}")))?;
            }
            other => {
                return Err(Problem::invalid_field(
                    format!("/{other}"),
                    "unknown_field",
                    "the form takes file, kind and metadata",
                ));
            }
        }
    }
    let file = file.ok_or_else(|| Problem::invalid_field("/file", "missing_field", "the form has no file field"))?;
    if file.size == 0 {
        return Err(Problem::invalid_field("/file", "empty_file", "the file is empty"));
    }
    let mut metadata = metadata.unwrap_or_default();
    if metadata.contains_key("file") {
        return Err(Problem::invalid_field("/metadata/file", "reserved", "metadata.file is filled in by the server"));
    }
    metadata.insert("file".into(), json!({ "name": file.name, "size": file.size, "sha256": file.sha256 }));
    let item = checked(EvidenceIn { kind, content_hash: file.blake3, metadata: Some(metadata) })?;
    keep(file.temp, &limits.blobs, &caller.0.id, &file.blake3).await?;
    let mut request = format!("multipart\n{}\n{}\n", item.content_hash, item.kind).into_bytes();
    request.extend(canonical_json(&Value::Object(item.metadata.clone().unwrap_or_default())));
    Ok((item, Hash::of(&request)))
}

/// An uploaded file, in a temporary file, with its size and hashes.
pub struct Received {
    pub temp: tempfile::NamedTempFile,
    pub name: Option<String>,
    pub size: u64,
    pub blake3: Hash,
    pub sha256: String,
}

/// Streams a form's file field to a temporary file, refusing it past `max_bytes` (`413`).
pub async fn stream_to_temp(
    field: &mut actix_multipart::Field,
    name: Option<String>,
    max_bytes: u64,
    limits: &Limits,
) -> Result<Received, Problem> {
    std::fs::create_dir_all(&limits.tmp_dir).context("creating the upload directory")?;
    let mut temp = tempfile::NamedTempFile::new_in(&limits.tmp_dir).context("creating a temporary file")?;
    let (mut blake, mut sha, mut size) = (blake3::Hasher::new(), openssl::sha::Sha256::new(), 0u64);
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| Problem::malformed(format!("multipart: {e}")))?;
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(Problem::too_large(format!("the file is larger than {max_bytes} bytes")));
        }
        blake.update(&chunk);
        sha.update(&chunk);
        temp.write_all(&chunk).context("writing the upload")?;
    }
    Ok(Received { temp, name, size, blake3: blake.finalize().into(), sha256: hex::encode(sha.finish()) })
}

pub async fn text_field(field: &mut actix_multipart::Field) -> Result<String, Problem> {
    let bytes = collect_limited(field, MAX_TEXT_FIELD, "a text field").await?;
    String::from_utf8(bytes.to_vec()).map_err(|_| Problem::malformed("a text field is not UTF-8"))
}

/// Moves the upload to `<blobs>/<owner>/<hash>` durably (file and directory synced).
pub async fn keep(
    temp: tempfile::NamedTempFile,
    blobs: &std::path::Path,
    owner: &crate::domain::TenantId,
    hash: &Hash,
) -> Result<(), Problem> {
    let dir = blobs.join(owner.to_string());
    let path = dir.join(hash.to_string());
    let result = web::block(move || -> anyhow::Result<()> {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        if path.exists() {
            return Ok(());
        }
        temp.as_file().sync_all().context("syncing the upload")?;
        temp.persist(&path).with_context(|| format!("keeping {}", path.display()))?;
        std::fs::File::open(&dir).and_then(|d| d.sync_all()).context("syncing the blob directory")
    })
    .await
    .map_err(|e| anyhow::anyhow!("blocking task: {e}"))?;
    Ok(result?)
}
