//! "Who registered this picture first": registrations whose content hash equals the suspect
//! file's, or whose fingerprints are within the threshold of its own, earliest first, each as
//! the public may see it (DESIGN §6): kind, registration time, block, anchored status and
//! co-signers; title, author, owner's name and thumbnail only for public registrations.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::PictureError;
use crate::domain::{EvidenceId, EvidenceStatus, Hash, Role, Timestamp};
use crate::fingerprint::set::{ALGORITHM, THRESHOLD};
use crate::images::Images;
use crate::images::analyse::{AnalyseError, Client, Purpose};
use crate::images::queue::Refused;
use crate::store::{Store, record_status};

/// Matches returned at most (the earliest ones).
pub const MAX_MATCHES: usize = 50;

/// The answer to a search.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    /// The fingerprint algorithm and the largest distance (bits of 256) counted as a match.
    pub algorithm: &'static str,
    pub threshold: u32,
    /// `false` when the picture is too flat for fingerprints: only identical files were sought.
    pub fingerprinted: bool,
    /// Earliest registration first; at most 50.
    pub matches: Vec<ImageMatch>,
}

/// One registration that matches, as the public sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImageMatch {
    pub id: EvidenceId,
    pub registered: Timestamp,
    pub status: EvidenceStatus,
    pub block: Option<u64>,
    pub anchored: Option<Timestamp>,
    /// The witnesses that co-signed the block.
    pub witnesses: Vec<MatchWitness>,
    /// Smallest distance between the suspect's fingerprints and the registration's (0 to 256).
    pub distance: u32,
    /// The suspect file is byte for byte the registered one.
    pub identical: bool,
    /// The certificate page.
    pub link: String,
    /// Only when the owner registered the picture as public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatchWitness {
    pub name: String,
    #[schema(value_type = String)]
    pub role: Role,
}

/// Why a search found nothing to search with.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The suspect file is not a usable picture.
    #[error(transparent)]
    Picture(#[from] PictureError),
    /// The decode queue refused the picture: this client has as many pictures waiting as it
    /// may, or the queue is full. Nothing was decoded; the client may retry.
    #[error(transparent)]
    Busy(#[from] Refused),
    /// A server fault (reading the records).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<AnalyseError> for SearchError {
    fn from(e: AnalyseError) -> Self {
        match e {
            AnalyseError::Picture(e) => Self::Picture(e.into()),
            AnalyseError::Busy(e) => Self::Busy(e),
        }
    }
}

/// Searches for `bytes` (a suspect picture) sent by `client` (an anonymous client's address):
/// its decode waits its turn among that client's.
pub async fn search(
    store: &Store,
    images: &Images,
    bytes: Vec<u8>,
    client: Client,
) -> Result<SearchResult, SearchError> {
    if bytes.is_empty() {
        return Err(PictureError::Empty.into());
    }
    let (content, bytes) =
        tokio::task::spawn_blocking(move || (Hash::of(&bytes), bytes)).await.expect("hashing does not panic");
    let query = images.analyser.analyse(bytes, Purpose::Query, client).await?;
    // Record → (distance, identical); a BTreeMap keeps them in arrival order.
    let mut found: BTreeMap<u64, (u32, bool)> = BTreeMap::new();
    for seq in store.images_with_content(&content, MAX_MATCHES as u32).await? {
        found.insert(seq, (0, true));
    }
    let fingerprinted = query.fingerprints.is_reliable();
    if fingerprinted {
        for m in images.nearest(query.fingerprints.hashes, THRESHOLD).await {
            found.entry(m.record).or_insert((m.distance, false));
        }
    }
    let found: Vec<(u64, (u32, bool))> = found.into_iter().take(MAX_MATCHES).collect();
    let seqs: Vec<u64> = found.iter().map(|(seq, _)| *seq).collect();
    // The blocks in one statement; each block's co-signers and each owner's name read once.
    let blocks = store.blocks_containing(&seqs).await?;
    let (mut witnesses, mut owners) = (HashMap::new(), HashMap::new());
    let mut matches = Vec::new();
    for ((seq, (distance, identical)), block) in found.into_iter().zip(blocks) {
        let (Some(record), Some(image)) = (store.evidence_range(seq, 1).await?.pop(), store.image(seq).await?) else {
            continue;
        };
        let cosigners = match &block {
            Some(b) => match witnesses.get(&b.height) {
                Some(known) => Vec::clone(known),
                None => {
                    let rows = store.cosignatures(b.height).await?;
                    let named: Vec<MatchWitness> =
                        rows.into_iter().map(|c| MatchWitness { name: c.witness.to_string(), role: c.role }).collect();
                    witnesses.insert(b.height, named.clone());
                    named
                }
            },
            None => Vec::new(),
        };
        let mut m = ImageMatch {
            id: record.id,
            registered: record.received,
            status: record_status(block.as_ref()),
            block: block.as_ref().map(|b| b.height),
            anchored: block.as_ref().and_then(|b| b.anchored),
            witnesses: cosigners,
            distance,
            identical,
            link: format!("/e/{}", record.id),
            title: None,
            author: None,
            owner: None,
            thumbnail: None,
        };
        if image.public {
            let text = |key: &str| record.metadata.as_ref().and_then(|md| md.get(key)?.as_str().map(str::to_owned));
            m.title = text("title");
            m.author = text("author");
            m.owner = match owners.get(&record.owner) {
                Some(name) => Option::clone(name),
                None => {
                    let name = store.tenant(&record.owner).await?.map(|t| t.name);
                    owners.insert(record.owner, name.clone());
                    name
                }
            };
            m.thumbnail = Some(format!("/e/{}/thumbnail.jpg", record.id));
        }
        matches.push(m);
    }
    Ok(SearchResult { algorithm: ALGORITHM, threshold: THRESHOLD, fingerprinted, matches })
}
