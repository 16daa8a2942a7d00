//! The invoice operations the evidence writer applies inside its transaction, one after
//! another. Each carries the one evidence record it creates when applied; a refused operation
//! writes nothing.

use super::InvoiceKey;
use crate::domain::invoice::{Amount, Refusal};
use crate::domain::{EvidenceId, Hash};

/// An issuance: the invoice as canonical JSON with what the writer needs of it.
#[derive(Debug, Clone)]
pub struct NewInvoice {
    pub key: InvoiceKey,
    pub currency: String,
    pub total: Amount,
    pub reimbursable: Amount,
    pub body: String,
    /// The hospital's detached CMS signature (DER) and its signer's subject.
    pub signature: Option<(Vec<u8>, String)>,
}

/// A claim of `amount` on the invoice whose content hash is `invoice_hash`.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub key: InvoiceKey,
    pub invoice_hash: Hash,
    pub amount: Amount,
    pub reference: String,
}

/// The withdrawal of one of the caller's claims.
#[derive(Debug, Clone)]
pub struct Withdrawal {
    pub key: InvoiceKey,
    pub claim: EvidenceId,
}

/// The void of one of the caller's invoices.
#[derive(Debug, Clone)]
pub struct VoidInvoice {
    pub key: InvoiceKey,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub enum InvoiceOp {
    Issue(NewInvoice),
    Claim(NewClaim),
    Withdraw(Withdrawal),
    Void(VoidInvoice),
}

/// Why the writer did not apply an operation (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpRefused {
    /// Issue: this issuer already issued this code and number.
    InvoiceExists,
    /// No such invoice or claim for this caller: unknown, another hospital's invoice, a
    /// content hash that is not the invoice's, another insurer's claim. All look alike.
    NotFound,
    /// The ledger's rules: voided, over the remaining amount, claims still active.
    Ledger(Refusal),
    /// Claim: the caller used this reference before with another body.
    ClaimReferenceReused,
    /// Claim: the caller sent this reference with this body before; the first claim.
    ClaimRepeated(EvidenceId),
    /// Withdraw: the claim was already withdrawn.
    AlreadyWithdrawn,
}
