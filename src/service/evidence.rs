//! Registering and reading the caller's records: register (one or a batch, all or none),
//! a page of them, lookup by content hash, one by id.

use crate::domain::canonical::canonical_json;
use crate::domain::{EvidenceId, EvidenceKind, EvidenceStatus, Hash};
use crate::ingest::Ingest;
use crate::service::Caller;
use crate::service::blocks::{BlockFacts, with_cosignatures};
use crate::service::records::{RecordState, one_with_status, with_status};
use crate::store::writer::{Outcome, Submission};
use crate::store::{EvidenceRecord, NewEvidence, Store, record_status};

/// Items per batch.
pub const MAX_BATCH_ITEMS: usize = 10_000;
/// Canonical metadata per record.
pub const MAX_METADATA_BYTES: usize = 16 << 10;
/// Kinds a tenant may register through `/v1/evidence`; invoices and claims have their routes.
pub const GENERIC_KINDS: [EvidenceKind; 3] = [EvidenceKind::Document, EvidenceKind::Contract, EvidenceKind::Image];
/// Records a lookup by content hash returns at most.
pub const MAX_LOOKUP: u32 = 1000;

/// A rule one item of a registration breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    /// The item's position in a batch; `None` for a single record.
    pub index: Option<usize>,
    pub problem: ItemProblem,
}

/// What is wrong with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemProblem {
    /// Its kind has a route of its own (invoices, claims).
    KindNotAllowed(EvidenceKind),
    /// Its metadata is over [`MAX_METADATA_BYTES`] as canonical JSON.
    MetadataTooLarge,
}

/// Why a registration wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// One or more items break a rule; all are listed.
    #[error("{} item(s) are invalid", .0.len())]
    Invalid(Vec<ItemError>),
    /// A batch of no items or of more than [`MAX_BATCH_ITEMS`].
    #[error("a batch holds 1 to {MAX_BATCH_ITEMS} items, not {0}")]
    BatchSize(usize),
    /// The idempotency key was used before with another request body.
    #[error("the idempotency key was used with another request")]
    KeyReused,
    /// The storage failed (nothing was acknowledged).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Why a record cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// No record has this id, or it is another tenant's (the two are never told apart).
    #[error("no such record")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// An idempotency key with the hash of the request it came with.
pub type Idempotency = Option<(String, Hash)>;

/// The problems of one item, if any: an allowed kind, metadata within its size.
pub fn check_item(index: Option<usize>, item: &NewEvidence) -> Vec<ItemError> {
    let mut errors = Vec::new();
    if !GENERIC_KINDS.contains(&item.kind) {
        errors.push(ItemError { index, problem: ItemProblem::KindNotAllowed(item.kind) });
    }
    if let Some(m) = &item.metadata
        && canonical_json(&serde_json::Value::Object(m.clone())).len() > MAX_METADATA_BYTES
    {
        errors.push(ItemError { index, problem: ItemProblem::MetadataTooLarge });
    }
    errors
}

/// Registers one record durably: it is `pending` once this returns. A repeat of an idempotency
/// key with the same request returns the first request's record as it is now.
pub async fn register(
    ingest: &Ingest,
    store: &Store,
    caller: &Caller,
    item: NewEvidence,
    idempotency: Idempotency,
) -> Result<RecordState, RegisterError> {
    let errors = check_item(None, &item);
    if !errors.is_empty() {
        return Err(RegisterError::Invalid(errors));
    }
    let mut states = submit(ingest, store, Submission::records(caller.0.id, vec![item], idempotency)).await?;
    states.pop().ok_or_else(|| anyhow::anyhow!("one item in, no record out").into())
}

/// Registers 1 to [`MAX_BATCH_ITEMS`] records, all or none, like [`register`].
pub async fn register_batch(
    ingest: &Ingest,
    store: &Store,
    caller: &Caller,
    items: Vec<NewEvidence>,
    idempotency: Idempotency,
) -> Result<Vec<RecordState>, RegisterError> {
    if items.is_empty() || items.len() > MAX_BATCH_ITEMS {
        return Err(RegisterError::BatchSize(items.len()));
    }
    let errors: Vec<ItemError> = items.iter().enumerate().flat_map(|(i, item)| check_item(Some(i), item)).collect();
    if !errors.is_empty() {
        return Err(RegisterError::Invalid(errors));
    }
    submit(ingest, store, Submission::records(caller.0.id, items, idempotency)).await
}

/// Writes a submission of plain records (or an image's record with its row) and returns the
/// records it stands for.
pub async fn submit(ingest: &Ingest, store: &Store, submission: Submission) -> Result<Vec<RecordState>, RegisterError> {
    answer(store, ingest.submit(submission).await?).await
}

/// The records a submission's outcome stands for.
pub async fn answer(store: &Store, outcome: Outcome) -> Result<Vec<RecordState>, RegisterError> {
    match outcome {
        Outcome::Created(records) => Ok(records.into_iter().map(RecordState::pending).collect()),
        Outcome::Replayed(seen) => {
            Ok(with_status(store, store.evidence_range(seen.first_seq, seen.count).await?).await?)
        }
        Outcome::KeyReused => Err(RegisterError::KeyReused),
        Outcome::Refused(r) => Err(anyhow::anyhow!("records without an invoice operation refused: {r:?}").into()),
    }
}

/// One page of the caller's records, newest first: those below `before` (a sequence number
/// from an earlier page), at most `limit`; the cursor of the next page when this one is full.
pub async fn page(
    store: &Store,
    caller: &Caller,
    before: Option<u64>,
    limit: u32,
) -> anyhow::Result<(Vec<RecordState>, Option<u64>)> {
    let records = store.evidence_page(&caller.0.id, before, limit).await?;
    let next = (records.len() == limit as usize).then(|| records.last().map(|r| r.seq)).flatten();
    Ok((with_status(store, records).await?, next))
}

/// The caller's records with this content hash, oldest first, at most [`MAX_LOOKUP`].
pub async fn lookup(store: &Store, caller: &Caller, content_hash: &Hash) -> anyhow::Result<Vec<RecordState>> {
    with_status(store, store.evidence_by_content(&caller.0.id, content_hash, MAX_LOOKUP).await?).await
}

/// The caller's record with this id.
pub async fn owned(store: &Store, caller: &Caller, id: &EvidenceId) -> Result<EvidenceRecord, RecordError> {
    match store.evidence_by_id(id).await? {
        Some(r) if r.owner == caller.0.id => Ok(r),
        _ => Err(RecordError::NotFound),
    }
}

/// The caller's record with this id, with its status.
pub async fn get(store: &Store, caller: &Caller, id: &EvidenceId) -> Result<RecordState, RecordError> {
    let record = owned(store, caller, id).await?;
    Ok(one_with_status(store, record).await?)
}

/// A record as its certificate shows it: the record (its owner sees more of it than the
/// public) and, once sealed, its block with the co-signatures.
#[derive(Debug, Clone)]
pub struct Certified {
    pub record: EvidenceRecord,
    pub status: EvidenceStatus,
    pub block: Option<BlockFacts>,
}

/// Any record by id, for its certificate (anyone may see one; the edge decides what to show).
pub async fn certified(store: &Store, id: &EvidenceId) -> Result<Certified, RecordError> {
    let record = store.evidence_by_id(id).await?.ok_or(RecordError::NotFound)?;
    let block = store.block_containing(record.seq).await?;
    let status = record_status(block.as_ref());
    let block = match block {
        Some(b) => with_cosignatures(store, vec![b]).await?.pop(),
        None => None,
    };
    Ok(Certified { record, status, block })
}

/// Any record's public status and block, by id.
pub async fn public_status(store: &Store, id: &EvidenceId) -> Result<RecordState, RecordError> {
    let record = store.evidence_by_id(id).await?.ok_or(RecordError::NotFound)?;
    Ok(one_with_status(store, record).await?)
}
