//! What the audit reads, each row decoded on its own (a damaged row is something to report, not
//! a reason to stop), and the durable cursor of the scheduled audit.

use async_trait::async_trait;

use super::blocks::{BlockRow, CosignatureRow};
use super::evidence::EvidenceRecord;
use crate::domain::{Hash, LogName, Timestamp};

/// A row as the audit reads it: its key (evidence `seq`, block `height`, co-signature
/// `witness`) and the decoded row, or why it does not decode.
pub type AuditRow<K, T> = (K, anyhow::Result<T>);

/// An invoice whose ledger columns (`claimed_cents`, `active_claims`) are not what its active
/// (not withdrawn) claims add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerMismatch {
    /// The invoice's natural key: `issuer`, `invoice_code`, `invoice_number`.
    pub issuer: String,
    pub invoice_code: String,
    pub invoice_number: String,
    /// The stored `claimed_cents` and the sum of the active claims' `amount_cents`.
    pub claimed_cents: (i64, i64),
    /// The stored `active_claims` and the number of active claims.
    pub active_claims: (i64, i64),
}

/// The last block the scheduled audit found consistent: the next block must chain to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCursor {
    pub height: u64,
    pub block_hash: Hash,
    pub log: LogName,
    /// The sequence number after the block's last record.
    pub end_seq: u64,
    /// When it was audited.
    pub audited: Timestamp,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Blocks with heights in `[from, through]`, oldest first, at most `limit`.
    async fn blocks_for_audit(
        &self,
        from: u64,
        through: u64,
        limit: u32,
    ) -> anyhow::Result<Vec<AuditRow<u64, BlockRow>>>;

    /// The highest block height stored, if any (without decoding the row).
    async fn max_height(&self) -> anyhow::Result<Option<u64>>;

    /// The records with `seq` in `[first, first + count)`, in order.
    async fn evidence_for_audit(&self, first: u64, count: u64) -> anyhow::Result<Vec<AuditRow<u64, EvidenceRecord>>>;

    /// The co-signatures of the blocks with heights in `[from, through]`, by height then
    /// witness name, each with its height: one statement for a page of blocks.
    async fn cosignatures_for_audit(
        &self,
        from: u64,
        through: u64,
    ) -> anyhow::Result<Vec<(u64, AuditRow<String, CosignatureRow>)>>;

    /// The stored tile roots of the blocks with heights in `[from, through]` that have them.
    async fn tiles_for_audit(&self, from: u64, through: u64) -> anyhow::Result<Vec<(u64, Vec<u8>)>>;

    /// The first invoices, by natural key, whose ledger columns disagree with their active
    /// claims, at most `limit` (the sums are the database's, one statement for every invoice).
    async fn invoice_ledger_mismatches(&self, limit: u32) -> anyhow::Result<Vec<LedgerMismatch>>;

    /// The scheduled audit's cursor, if it has found a block consistent yet.
    async fn audit_cursor(&self) -> anyhow::Result<Option<AuditCursor>>;

    /// Moves the cursor (one short write; never on the evidence writer's connection).
    async fn set_audit_cursor(&self, c: &AuditCursor) -> anyhow::Result<()>;
}
