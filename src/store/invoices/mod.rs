//! Invoices, their claims and the insurers' checks (migration 0006).
//!
//! Issuing, claiming, withdrawing and voiding are [`InvoiceOp`]s the evidence writer applies
//! inside its transaction, one after another: concurrent claims on one invoice are decided on
//! the state the previous one left, never on a stale read. Reads, the access log and erasure
//! are [`InvoiceStore`]'s.

mod ops;

use async_trait::async_trait;

use crate::domain::invoice::{Amount, Ledger};
use crate::domain::{EvidenceId, Hash, TenantId, Timestamp};

pub use ops::{InvoiceOp, NewClaim, NewInvoice, OpRefused, VoidInvoice, Withdrawal};

/// An invoice's natural key: unique per issuer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InvoiceKey {
    pub issuer: String,
    pub code: String,
    pub number: String,
}

/// An issued invoice as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceRow {
    pub key: InvoiceKey,
    pub hospital: TenantId,
    pub evidence_seq: u64,
    pub content_hash: Hash,
    pub currency: String,
    pub total: Amount,
    pub ledger: Ledger,
    /// The canonical JSON; `None` once erased.
    pub body: Option<String>,
    pub erased: Option<Timestamp>,
    /// The subject of the hospital's certificate, when the invoice came with a signature.
    pub signer: Option<String>,
    pub void_seq: Option<u64>,
    pub void_reason: Option<String>,
}

/// One claim on an invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRow {
    pub id: EvidenceId,
    pub key: InvoiceKey,
    pub insurer: TenantId,
    pub insurer_name: String,
    pub reference: String,
    pub amount: Amount,
    pub claimed: Timestamp,
    pub withdrawn: Option<Timestamp>,
    /// The `claim` record, and the `claim-withdrawal` record once withdrawn.
    pub evidence_seq: u64,
    pub withdrawal_seq: Option<u64>,
}

/// One entry of an invoice's access log.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRow {
    pub insurer: String,
    pub checked: Timestamp,
    pub verdict: String,
}

/// What became of an erasure request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    Erased,
    AlreadyErased,
    NotFound,
}

#[async_trait]
pub trait InvoiceStore: Send + Sync {
    async fn invoice(&self, key: &InvoiceKey) -> anyhow::Result<Option<InvoiceRow>>;

    /// A hospital's invoices, newest first, issued before the record `before` when given.
    async fn invoices_of(
        &self,
        hospital: &TenantId,
        before: Option<u64>,
        limit: u32,
    ) -> anyhow::Result<Vec<InvoiceRow>>;

    /// Every claim on the invoice, oldest first, withdrawn ones included.
    async fn claims_of(&self, key: &InvoiceKey) -> anyhow::Result<Vec<ClaimRow>>;

    async fn claim(&self, id: &EvidenceId) -> anyhow::Result<Option<ClaimRow>>;

    /// Writes one entry of the invoice's access log.
    async fn record_check(&self, key: &InvoiceKey, insurer: &TenantId, verdict: &str) -> anyhow::Result<()>;

    /// The invoice's access log, newest first.
    async fn checks_of(&self, key: &InvoiceKey, limit: u32) -> anyhow::Result<Vec<CheckRow>>;

    /// Every claim on each of the invoices, oldest first, withdrawn ones included: one
    /// statement for a whole page of invoices.
    async fn claims_of_invoices(&self, keys: &[InvoiceKey]) -> anyhow::Result<Vec<ClaimRow>>;

    /// The latest `limit` entries of each invoice's access log, newest first: one statement
    /// for a whole page of invoices.
    async fn checks_of_invoices(&self, keys: &[InvoiceKey], limit: u32) -> anyhow::Result<Vec<(InvoiceKey, CheckRow)>>;

    /// Deletes the hospital's stored invoice body and its record's salt. The leaf hash stays,
    /// so the block and the receipts already issued stay valid, and no copy of the erased
    /// bytes is left behind in the database files.
    async fn erase_invoice(&self, key: &InvoiceKey, hospital: &TenantId) -> anyhow::Result<Erasure>;
}
