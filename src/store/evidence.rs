//! Evidence records, and the idempotency keys of the requests that created them.

use async_trait::async_trait;

use crate::domain::leaf::LeafVersion;
use crate::domain::{EvidenceId, EvidenceKind, Hash, Leaf, Metadata, Salt, TenantId, Timestamp};

/// What a client asks to register.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvidence {
    pub kind: EvidenceKind,
    pub content_hash: Hash,
    pub metadata: Option<Metadata>,
}

/// A stored record.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRecord {
    /// The arrival sequence number: the leaf index is `seq - first_seq` of its block.
    pub seq: u64,
    pub id: EvidenceId,
    pub owner: TenantId,
    pub kind: EvidenceKind,
    pub content_hash: Hash,
    /// `None` once erased (an invoice's content erasure): the stored leaf hash stays.
    pub salt: Option<Salt>,
    /// The metadata commitment: keyed with `meta_salt` when there is one (leaf v2), else the
    /// unsalted hash of a record registered before (leaf v1).
    pub meta_hash: Hash,
    /// The key of `meta_hash`: 32 random bytes drawn at registration, distinct from `salt`.
    /// `None` for records registered before leaf v2. Erasure leaves it alone.
    pub meta_salt: Option<Salt>,
    pub metadata: Option<Metadata>,
    pub received: Timestamp,
    pub leaf_hash: Hash,
}

impl EvidenceRecord {
    /// The leaf the record's fields make (v2 with a `meta_salt`, v1 without); `None` once its
    /// salt was erased.
    pub fn leaf(&self) -> Option<Leaf> {
        Some(Leaf {
            version: if self.meta_salt.is_some() { LeafVersion::V2 } else { LeafVersion::V1 },
            id: self.id,
            kind: self.kind,
            content: self.content_hash,
            salt: self.salt?,
            meta: self.meta_hash,
            owner: self.owner,
            received: self.received,
        })
    }
}

/// What an idempotency key points at: the request's hash and the records it created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub request_hash: Hash,
    pub first_seq: u64,
    pub count: u64,
}

/// Reading evidence records (the writer, [`super::RecordWriter`], adds them).
#[async_trait]
pub trait EvidenceStore: Send + Sync {
    async fn evidence_by_id(&self, id: &EvidenceId) -> anyhow::Result<Option<EvidenceRecord>>;

    /// The owner's records, newest first, with `seq` below `before` when given.
    async fn evidence_page(
        &self,
        owner: &TenantId,
        before: Option<u64>,
        limit: u32,
    ) -> anyhow::Result<Vec<EvidenceRecord>>;

    /// The owner's records with this content hash, oldest first (at most `limit`).
    async fn evidence_by_content(
        &self,
        owner: &TenantId,
        content: &Hash,
        limit: u32,
    ) -> anyhow::Result<Vec<EvidenceRecord>>;

    /// The records with `seq` in `[first, first + count)`, in order.
    async fn evidence_range(&self, first: u64, count: u64) -> anyhow::Result<Vec<EvidenceRecord>>;

    /// The leaf hashes of `seq` in `[first, first + count)`, in order.
    async fn leaf_hashes(&self, first: u64, count: u64) -> anyhow::Result<Vec<Hash>>;

    /// The highest sequence number written, if any.
    /// The records with these sequence numbers, in the order given (one statement for a
    /// whole page); an error when one is missing.
    async fn records_at(&self, seqs: &[u64]) -> anyhow::Result<Vec<EvidenceRecord>>;

    async fn max_seq(&self) -> anyhow::Result<Option<u64>>;

    async fn evidence_count(&self) -> anyhow::Result<u64>;
}
