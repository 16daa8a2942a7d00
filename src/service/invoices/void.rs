//! The issuing hospital voids an invoice while no claim is active: an `invoice-void` record
//! referencing the invoice's record.

use serde_json::json;

use super::{Applied, InvoiceState, key_json, operation_record, states, submit, unexpected, wrong_role};
use crate::domain::invoice::Refusal;
use crate::domain::{EvidenceKind, TenantRole};
use crate::ingest::Ingest;
use crate::service::Caller;
use crate::store::Store;
use crate::store::invoices::{InvoiceKey, InvoiceOp, OpRefused, VoidInvoice};

/// Why an invoice was not voided.
#[derive(Debug, thiserror::Error)]
pub enum VoidError {
    /// The caller is not a hospital.
    #[error("only a hospital voids invoices")]
    RoleForbidden { actual: TenantRole },
    /// No such invoice, or another hospital's: both look alike.
    #[error("no such invoice")]
    NotFound,
    /// The reason is not 1-500 characters without control characters (after trimming).
    #[error("the reason is not 1-500 characters without control characters")]
    InvalidReason,
    /// The invoice was voided already.
    #[error("{}", Refusal::Voided)]
    Voided,
    /// Claims are still active: they must be withdrawn first.
    #[error("{}", Refusal::Claimed { active: *active })]
    Claimed { active: u32 },
    /// A server fault (storage, the writer).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Voids the caller's invoice `key` for `reason` (checked once the invoice is known to be the
/// caller's, so an unknown invoice is `NotFound` whatever the reason); the invoice, voided.
pub async fn void(
    store: &Store,
    ingest: &Ingest,
    caller: &Caller,
    key: &InvoiceKey,
    reason: &str,
) -> Result<InvoiceState, VoidError> {
    if let Some(actual) = wrong_role(caller, TenantRole::Hospital) {
        return Err(VoidError::RoleForbidden { actual });
    }
    let row = store.invoice(key).await?.filter(|r| r.hospital == caller.0.id).ok_or(VoidError::NotFound)?;
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err(VoidError::InvalidReason);
    }
    let original = states(store, vec![row]).await?.pop().expect("one invoice in, one out");
    let document = json!({
        "invoice": key_json(key),
        "voids": { "evidence": original.record.record.id, "content_hash": original.row.content_hash },
        "reason": reason,
    });
    let op = InvoiceOp::Void(VoidInvoice { key: key.clone(), reason });
    match submit(ingest, caller, op, operation_record(EvidenceKind::InvoiceVoid, document)).await? {
        Applied::Created(_) => {}
        Applied::Refused(OpRefused::NotFound) => return Err(VoidError::NotFound),
        Applied::Refused(OpRefused::Ledger(Refusal::Voided)) => return Err(VoidError::Voided),
        Applied::Refused(OpRefused::Ledger(Refusal::Claimed { active })) => return Err(VoidError::Claimed { active }),
        Applied::Refused(other) => return Err(unexpected(other).into()),
        Applied::Repeated(_) => return Err(anyhow::anyhow!("a void was answered as a repeated claim").into()),
    }
    let row = store.invoice(key).await?.ok_or(VoidError::NotFound)?;
    Ok(InvoiceState { row, record: original.record })
}
