//! Registering a picture: decoded once (within the pixel limit and the shared decode budget)
//! for its fingerprints, thumbnail and capture time, the original kept for its owner, and an
//! `image` record whose metadata commits to the fingerprints written with the picture's row.
//! Once committed, the picture is in the search index.

use std::time::Instant;

use anyhow::Context;
use serde_json::Value;

use super::PictureError;
use super::input::MAX_TEXT_CHARS;
use crate::domain::canonical::canonical_json;
use crate::domain::{EvidenceKind, Hash, TenantRole};
use crate::images::Images;
use crate::images::analyse::{AnalyseError, Client, Purpose};
use crate::images::metadata::{Described, FileFacts, image_metadata};
use crate::images::queue::Refused;
use crate::ingest::Ingest;
use crate::service::Caller;
use crate::service::records::{RecordState, with_status};
use crate::store::blobs::{Blobs, Received};
use crate::store::writer::{Outcome, Submission};
use crate::store::{NewEvidence, NewImage, Store};

/// The limit of a record's metadata as canonical JSON (that of every record).
pub const MAX_METADATA_BYTES: usize = 16 << 10;

/// A picture to register, as parsed at the edge.
pub struct Registration {
    pub file: Received,
    pub title: Option<String>,
    pub author: Option<String>,
    pub public: bool,
    /// A repeat with the same key and registration answers the first one's record.
    pub idempotency_key: Option<String>,
}

/// Why a picture was not registered.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Only a merchant tenant registers pictures; the caller has `role`.
    #[error("only a merchant tenant may do this; this key's tenant is a {}", role.as_str())]
    RoleForbidden { role: TenantRole },
    /// The file is not a usable picture.
    #[error(transparent)]
    Picture(#[from] PictureError),
    /// The decode queue refused the picture: this tenant has as many pictures waiting as it
    /// may, or the queue is full. Nothing was decoded or kept; the client may retry.
    #[error(transparent)]
    Busy(#[from] Refused),
    /// The record's metadata would pass [`MAX_METADATA_BYTES`].
    #[error("metadata is limited to {MAX_METADATA_BYTES} bytes of canonical JSON")]
    MetadataTooLarge,
    /// The idempotency key was used before with another registration.
    #[error("this Idempotency-Key was used with another request body")]
    KeyReused,
    /// A server fault (reading the upload, keeping it, writing the record).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<AnalyseError> for RegisterError {
    fn from(e: AnalyseError) -> Self {
        match e {
            AnalyseError::Picture(e) => Self::Picture(e.into()),
            AnalyseError::Busy(e) => Self::Busy(e),
        }
    }
}

/// Whether `caller` may register pictures: asked before the upload is read.
pub fn may_register(caller: &Caller) -> Result<(), RegisterError> {
    match caller.0.role {
        TenantRole::Merchant => Ok(()),
        role => Err(RegisterError::RoleForbidden { role }),
    }
}

/// Registers the picture for `caller`: its record, `pending`, as the owner sees it.
pub async fn register(
    store: &Store,
    ingest: &Ingest,
    images: &Images,
    blobs: &Blobs,
    caller: &Caller,
    registration: Registration,
) -> Result<RecordState, RegisterError> {
    may_register(caller)?;
    let Registration { file, title, author, public, idempotency_key } = registration;
    let owner = caller.0.id;
    let started = Instant::now();
    let bytes = tokio::fs::read(file.temp.path()).await.context("reading the upload")?;
    images.observe("read", started.elapsed());
    let analysis = images.analyser.analyse(bytes, Purpose::Registration, Client::Tenant(owner)).await?;
    for (step, took) in &analysis.steps {
        images.observe(step, *took);
    }
    let title = title.or_else(|| file.name.as_deref().map(stem)).unwrap_or_else(|| "Untitled".to_owned());
    let facts = FileFacts { name: file.name.clone(), size: file.size, sha256: file.sha256.clone() };
    let metadata = image_metadata(&Described { title, author }, &facts, &analysis);
    let canonical = canonical_json(&Value::Object(metadata.clone()));
    if canonical.len() > MAX_METADATA_BYTES {
        return Err(RegisterError::MetadataTooLarge);
    }
    let idempotency = idempotency_key.map(|key| {
        let mut request = format!("image\n{}\n{public}\n", file.blake3).into_bytes();
        request.extend(canonical);
        (key, Hash::of(&request))
    });
    let item = NewEvidence { kind: EvidenceKind::Image, content_hash: file.blake3, metadata: Some(metadata) };
    let started = Instant::now();
    blobs.keep(file.temp, &owner, &file.blake3).await?;
    images.observe("store_file", started.elapsed());
    let fingerprints = if analysis.fingerprints.is_reliable() { analysis.fingerprints.hashes } else { Vec::new() };
    let thumbnail = analysis.thumbnail.unwrap_or_default();
    let row = NewImage { public, fingerprints: fingerprints.clone(), thumbnail };
    let submission = Submission::image(owner, item, row, idempotency);
    // Committing and indexing run as their own task: a client that goes away (which drops the
    // request) cannot leave a committed picture out of the index until the next start.
    let (ingest, images) = (ingest.clone(), images.clone());
    let outcome = tokio::spawn(async move {
        let started = Instant::now();
        let outcome = ingest.submit(submission).await?;
        images.observe("commit", started.elapsed());
        if let Outcome::Created(records) = &outcome {
            for r in records {
                images.add(r.seq, fingerprints.clone()).await;
            }
        }
        anyhow::Ok(outcome)
    })
    .await
    .map_err(|e| anyhow::anyhow!("the registration task failed: {e}"))??;
    let mut records = match outcome {
        Outcome::Created(records) => records.into_iter().map(RecordState::pending).collect(),
        Outcome::Replayed(seen) => with_status(store, store.evidence_range(seen.first_seq, seen.count).await?).await?,
        Outcome::KeyReused => return Err(RegisterError::KeyReused),
        Outcome::Refused(r) => {
            return Err(anyhow::anyhow!("records without an invoice operation refused: {r:?}").into());
        }
    };
    Ok(records.pop().expect("one picture in, one record out"))
}

/// A file name without its directory and extension: the default title.
fn stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem: String = base.rsplit_once('.').map_or(base, |(s, _)| s).chars().filter(|c| !c.is_control()).collect();
    let stem = stem.trim();
    if stem.is_empty() { "Untitled".to_owned() } else { stem.chars().take(MAX_TEXT_CHARS).collect() }
}

#[cfg(test)]
mod tests {
    use super::stem;

    #[test]
    fn the_default_title_is_the_file_name_stem() {
        assert_eq!(stem("dress-front.jpg"), "dress-front");
        assert_eq!(stem("C:\\photos\\shoe.v2.png"), "shoe.v2");
        assert_eq!(stem(".jpg"), "Untitled");
        assert_eq!(stem("noext"), "noext");
        assert_eq!(stem("bell\u{7}\u{1b}[2J.jpg"), "bell[2J");
    }
}
