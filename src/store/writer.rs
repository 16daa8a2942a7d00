//! The evidence writer's contract: one transaction per group of submissions, all-or-nothing
//! per submission, arrival sequence numbers allocated by the storage inside that transaction.

use async_trait::async_trait;

use super::evidence::{EvidenceRecord, IdempotencyRecord, NewEvidence};
use super::images::NewImage;
use super::invoices::{InvoiceOp, OpRefused};
use crate::domain::{Hash, TenantId};

/// One request's records, all-or-nothing.
#[derive(Debug, Clone)]
pub struct Submission {
    pub owner: TenantId,
    pub items: Vec<NewEvidence>,
    /// The `Idempotency-Key` and the hash of the request body, if a key was sent.
    pub idempotency: Option<(String, Hash)>,
    /// An invoice operation, decided inside the transaction; `items` is then its one record.
    pub op: Option<InvoiceOp>,
    /// An image registration's row; `items` is then its one record.
    pub image: Option<NewImage>,
}

impl Submission {
    /// Records with no further condition.
    pub fn records(owner: TenantId, items: Vec<NewEvidence>, idempotency: Option<(String, Hash)>) -> Self {
        Self { owner, items, idempotency, op: None, image: None }
    }

    /// An image registration: its record and its row.
    pub fn image(owner: TenantId, record: NewEvidence, image: NewImage, idempotency: Option<(String, Hash)>) -> Self {
        Self { owner, items: vec![record], idempotency, op: None, image: Some(image) }
    }

    /// An invoice operation and the one record it creates when applied.
    pub fn invoice_op(owner: TenantId, op: InvoiceOp, record: NewEvidence) -> Self {
        Self { owner, items: vec![record], idempotency: None, op: Some(op), image: None }
    }
}

/// What became of one submission.
#[derive(Debug, Clone)]
pub enum Outcome {
    Created(Vec<EvidenceRecord>),
    /// The key was seen before with the same body: these are the first request's records.
    Replayed(IdempotencyRecord),
    /// The key was seen before with another body.
    KeyReused,
    /// The invoice operation was refused; nothing was written.
    Refused(OpRefused),
}

/// Writes groups of submissions (the group-commit task in `crate::ingest` owns one).
#[async_trait]
pub trait RecordWriter: Send {
    /// Writes every submission in one transaction and returns one outcome per submission, in
    /// order. The records' sequence numbers are allocated inside the transaction, after every
    /// number already written (by this writer or any other). On error nothing is written.
    async fn write(&mut self, submissions: &[Submission]) -> anyhow::Result<Vec<Outcome>>;
}
