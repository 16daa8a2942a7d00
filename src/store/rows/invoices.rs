//! Invoices, their ledgers, claims and the access log.

use anyhow::Context;

use super::StoredRow;
use crate::domain::invoice::{Amount, Ledger};
use crate::store::invoices::{CheckRow, ClaimRow, InvoiceKey, InvoiceRow};

pub(crate) fn invoice_key(r: &impl StoredRow) -> anyhow::Result<InvoiceKey> {
    Ok(InvoiceKey { issuer: r.string("issuer")?, code: r.string("invoice_code")?, number: r.string("invoice_number")? })
}

/// The ledger columns of an invoice row (the writer reads them under its lock too).
pub(crate) fn ledger(r: &impl StoredRow) -> anyhow::Result<Ledger> {
    Ok(Ledger {
        reimbursable: Amount(r.uint("reimbursable_cents")?),
        claimed: Amount(r.uint("claimed_cents")?),
        active_claims: u32::try_from(r.uint("active_claims")?).context("column active_claims")?,
        voided: r.maybe_uint("void_seq")?.is_some(),
    })
}

pub(crate) fn invoice(r: &impl StoredRow) -> anyhow::Result<InvoiceRow> {
    Ok(InvoiceRow {
        key: invoice_key(r)?,
        hospital: r.tenant_id("tenant_id")?,
        evidence_seq: r.uint("evidence_seq")?,
        content_hash: r.hash("content_hash")?,
        currency: r.string("currency")?,
        total: Amount(r.uint("total_cents")?),
        ledger: ledger(r)?,
        body: r.maybe_string("body")?,
        erased: r.maybe_time("erased_ms")?,
        signer: r.maybe_string("signer")?,
        void_seq: r.maybe_uint("void_seq")?,
        void_reason: r.maybe_string("void_reason")?,
    })
}

pub(crate) fn claim(r: &impl StoredRow) -> anyhow::Result<ClaimRow> {
    Ok(ClaimRow {
        id: r.evidence_id("id")?,
        key: invoice_key(r)?,
        insurer: r.tenant_id("insurer_id")?,
        insurer_name: r.string("insurer_name")?,
        reference: r.string("claim_reference")?,
        amount: Amount(r.uint("amount_cents")?),
        claimed: r.time("claimed_ms")?,
        withdrawn: r.maybe_time("withdrawn_ms")?,
        evidence_seq: r.uint("evidence_seq")?,
        withdrawal_seq: r.maybe_uint("withdrawal_seq")?,
    })
}

/// One entry of the access log: the insurer's name, when, and the verdict.
pub(crate) fn check(r: &impl StoredRow) -> anyhow::Result<CheckRow> {
    Ok(CheckRow { insurer: r.string("name")?, checked: r.time("checked_ms")?, verdict: r.string("verdict")? })
}
