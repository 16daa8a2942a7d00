//! What a hospital reads of its own invoices (one page of them, or one with its claims, void
//! and access log) and the erasure of an invoice's body. Pages of invoices are read
//! set-based: a fixed number of statements per page, never one per invoice.

use serde_json::Value;

use super::{InvoiceState, records, states, wrong_role};
use crate::domain::TenantRole;
use crate::service::Caller;
use crate::service::records::RecordState;
use crate::store::Store;
use crate::store::invoices::{CheckRow, ClaimRow, Erasure, InvoiceKey, InvoiceRow};

/// Entries of the access log shown with an invoice.
const CHECKS_SHOWN: u32 = 100;

/// Why a hospital's invoice could not be read or erased.
#[derive(Debug, thiserror::Error)]
pub enum InvoiceError {
    /// The caller is not a hospital.
    #[error("only a hospital reads its invoices")]
    RoleForbidden { actual: TenantRole },
    /// No such invoice, or another hospital's: both look alike.
    #[error("no such invoice")]
    NotFound,
    /// A server fault (storage).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Everything the issuing hospital sees of an invoice.
#[derive(Debug, Clone)]
pub struct InvoiceDetails {
    pub invoice: InvoiceState,
    /// The invoice as submitted (canonical JSON); `None` once erased.
    pub body: Option<Value>,
    /// The void's reason and record, once voided.
    pub void: Option<(String, RecordState)>,
    /// Every claim, oldest first, withdrawn ones included.
    pub claims: Vec<ClaimRow>,
    /// The latest 100 checks, newest first.
    pub checks: Vec<CheckRow>,
}

/// The caller's invoices, newest first, issued before the record `before` when given.
pub async fn list(
    store: &Store,
    caller: &Caller,
    before: Option<u64>,
    limit: u32,
) -> Result<Vec<InvoiceState>, InvoiceError> {
    hospital(caller)?;
    Ok(states(store, store.invoices_of(&caller.0.id, before, limit).await?).await?)
}

/// A page of the caller's invoices like [`list`], each with its claims, void and access log.
pub async fn list_details(
    store: &Store,
    caller: &Caller,
    before: Option<u64>,
    limit: u32,
) -> Result<Vec<InvoiceDetails>, InvoiceError> {
    hospital(caller)?;
    Ok(details(store, store.invoices_of(&caller.0.id, before, limit).await?).await?)
}

/// One of the caller's invoices with its body, claims, void and access log.
pub async fn detail(store: &Store, caller: &Caller, key: &InvoiceKey) -> Result<InvoiceDetails, InvoiceError> {
    hospital(caller)?;
    let row = store.invoice(key).await?.filter(|r| r.hospital == caller.0.id).ok_or(InvoiceError::NotFound)?;
    let mut one = details(store, vec![row]).await?;
    Ok(one.pop().expect("one invoice in, one out"))
}

/// Erases the stored body of the caller's invoice and the salt of its record (the leaf hash
/// stays in its block, so receipts already issued stay valid). Erasing twice is no error.
pub async fn erase(store: &Store, caller: &Caller, key: &InvoiceKey) -> Result<InvoiceState, InvoiceError> {
    hospital(caller)?;
    match store.erase_invoice(key, &caller.0.id).await? {
        Erasure::NotFound => return Err(InvoiceError::NotFound),
        Erasure::Erased => tracing::info!(issuer = %key.issuer, "an invoice's content was erased"),
        Erasure::AlreadyErased => {}
    }
    let row = store.invoice(key).await?.ok_or(InvoiceError::NotFound)?;
    let mut one = states(store, vec![row]).await?;
    Ok(one.pop().expect("one invoice in, one out"))
}

fn hospital(caller: &Caller) -> Result<(), InvoiceError> {
    match wrong_role(caller, TenantRole::Hospital) {
        Some(actual) => Err(InvoiceError::RoleForbidden { actual }),
        None => Ok(()),
    }
}

/// The invoices with their claims, voids and access logs, in the order given: one statement
/// each for the claims, the logs, the records and their blocks.
async fn details(store: &Store, rows: Vec<InvoiceRow>) -> anyhow::Result<Vec<InvoiceDetails>> {
    let keys: Vec<InvoiceKey> = rows.iter().map(|r| r.key.clone()).collect();
    let mut claims = store.claims_of_invoices(&keys).await?;
    let mut checks = store.checks_of_invoices(&keys, CHECKS_SHOWN).await?;
    let void_seqs: Vec<u64> = rows.iter().filter_map(|r| r.void_seq).collect();
    let voids = records(store, &void_seqs).await?;
    let invoices = states(store, rows).await?;
    let mut out = Vec::with_capacity(invoices.len());
    for invoice in invoices {
        let row = &invoice.row;
        let void = row.void_seq.zip(row.void_reason.clone()).and_then(|(seq, reason)| {
            voids.iter().find(|v| v.record.seq == seq).map(|record| (reason, record.clone()))
        });
        let body = row.body.as_deref().map(serde_json::from_str).transpose()?;
        let (mine, others) = claims.into_iter().partition(|c| c.key == row.key);
        claims = others;
        let (mine_checks, others): (Vec<_>, Vec<_>) = checks.into_iter().partition(|(k, _)| *k == row.key);
        checks = others;
        let checks = mine_checks.into_iter().map(|(_, c)| c).collect();
        out.push(InvoiceDetails { invoice, body, void, claims: mine, checks });
    }
    Ok(out)
}
