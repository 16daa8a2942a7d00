//! The registered file, to its owner only: another tenant's picture is as unknown as an id
//! that does not exist.

use image::ImageFormat;

use crate::domain::{EvidenceId, EvidenceKind};
use crate::service::Caller;
use crate::store::Store;
use crate::store::blobs::Blobs;

/// A registered picture's file as uploaded.
pub struct Original {
    pub bytes: Vec<u8>,
    /// `image/jpeg`, `image/png`, `image/webp`, or `application/octet-stream` when unknown.
    pub media_type: &'static str,
}

/// Why there is no original to hand out.
#[derive(Debug, thiserror::Error)]
pub enum OriginalError {
    /// No image record of the caller's has this id (another tenant's counts as none), or the
    /// picture was registered by hash only (`POST /v1/evidence`) and has no stored file.
    #[error("no such resource")]
    NotFound,
    /// A server fault (reading the record or the file).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The original of the caller's picture `id`.
pub async fn original(
    store: &Store,
    blobs: &Blobs,
    caller: &Caller,
    id: &EvidenceId,
) -> Result<Original, OriginalError> {
    let record = match store.evidence_by_id(id).await? {
        Some(r) if r.owner == caller.0.id && r.kind == EvidenceKind::Image => r,
        _ => return Err(OriginalError::NotFound),
    };
    let bytes = blobs.read(&record.owner, &record.content_hash).await?.ok_or(OriginalError::NotFound)?;
    let format = record.metadata.as_ref().and_then(|m| m.get("image")?.get("format")?.as_str().map(str::to_owned));
    let media_type =
        format.and_then(ImageFormat::from_extension).map_or("application/octet-stream", |f| f.to_mime_type());
    Ok(Original { bytes, media_type })
}
