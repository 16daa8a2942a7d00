//! Invoices, their claims and the insurers' checks (migration 0006).
//!
//! Issuing, claiming, withdrawing and voiding are [`InvoiceOp`]s the single evidence writer
//! applies inside its transaction ([`ops::apply`]), one after another: concurrent claims on one
//! invoice are decided on the state the previous one left, never on a stale read. Reads, the
//! access log and erasure go through the pool.

pub(super) mod ops;
mod reads;

use crate::domain::invoice::{Amount, Ledger};
use crate::domain::{EvidenceId, Hash, TenantId, Timestamp};

pub use ops::{InvoiceOp, NewClaim, NewInvoice, OpRefused, VoidInvoice, Withdrawal};
pub use reads::Erasure;

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
