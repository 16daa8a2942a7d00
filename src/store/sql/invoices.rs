//! Reading invoices, claims and the access log, and recording checks, on any SQL backend.
//! Claims, withdrawals and voids are the writer's (`store::*::invoices::ops`).

use anyhow::Context;
use async_trait::async_trait;

use super::{Arg, Sql, args};
use crate::domain::{EvidenceId, TenantId, Timestamp};
use crate::store::columns::id_bytes;
use crate::store::invoices::{CheckRow, ClaimRow, Erasure, InvoiceKey, InvoiceRow, InvoiceStore};
use crate::store::rows;

/// The columns [`rows::invoice`] reads.
const INVOICE_COLUMNS: &str = "issuer, invoice_code, invoice_number, tenant_id, evidence_seq, \
    content_hash, currency, total_cents, reimbursable_cents, claimed_cents, active_claims, body, erased_ms, signer, \
    void_seq, void_reason";
/// The columns [`rows::claim`] reads.
const CLAIM_COLUMNS: &str = "id, issuer, invoice_code, invoice_number, insurer_id, claim_reference, amount_cents, \
    claimed_ms, withdrawn_ms, evidence_seq, withdrawal_seq, \
    (SELECT name FROM tenants WHERE tenants.id = claims.insurer_id) AS insurer_name";
/// An invoice's key at `$1`, `$2`, `$3`.
pub(crate) const KEY_IS: &str = "issuer = $1 AND invoice_code = $2 AND invoice_number = $3";

/// What differs between the dialects in reading invoices and erasing one.
#[async_trait]
pub(crate) trait InvoiceDialect {
    /// The condition "the row's key is one of the keys [`InvoiceDialect::key_args`] binds",
    /// their parameters numbered from `$first`.
    fn key_in(first: usize) -> String;
    /// The order of insertion in `invoice_checks` (alias `c`), for entries of one millisecond.
    const CHECK_ORDER: &'static str;
    fn key_args(keys: &[InvoiceKey]) -> anyhow::Result<Vec<Arg>>;
    /// What else an erasure needs once committed, so that no copy of the erased bytes remains
    /// where the backend can remove it.
    async fn after_erasure(&self) {}
}

fn key_args(key: &InvoiceKey) -> Vec<Arg> {
    args![&key.issuer, &key.code, &key.number]
}

#[async_trait]
impl<S: Sql + InvoiceDialect> InvoiceStore for S {
    async fn invoice(&self, key: &InvoiceKey) -> anyhow::Result<Option<InvoiceRow>> {
        let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE {KEY_IS}");
        let row = self.fetch_optional(&sql, key_args(key)).await.context("reading an invoice")?;
        row.as_ref().map(rows::invoice).transpose()
    }

    /// A hospital's invoices, newest first, issued before the record `before` when given.
    async fn invoices_of(
        &self,
        hospital: &TenantId,
        before: Option<u64>,
        limit: u32,
    ) -> anyhow::Result<Vec<InvoiceRow>> {
        let sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE tenant_id = $1 AND evidence_seq < $2 \
             ORDER BY evidence_seq DESC LIMIT $3"
        );
        let args = args![id_bytes(hospital), before.unwrap_or(u64::MAX), limit];
        self.fetch_all(&sql, args).await.context("listing invoices")?.iter().map(rows::invoice).collect()
    }

    /// Every claim on the invoice, oldest first, withdrawn ones included.
    async fn claims_of(&self, key: &InvoiceKey) -> anyhow::Result<Vec<ClaimRow>> {
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE {KEY_IS} ORDER BY evidence_seq");
        self.fetch_all(&sql, key_args(key)).await.context("listing claims")?.iter().map(rows::claim).collect()
    }

    async fn claim(&self, id: &EvidenceId) -> anyhow::Result<Option<ClaimRow>> {
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE id = $1");
        let row = self.fetch_optional(&sql, args![id_bytes(id)]).await.context("reading a claim")?;
        row.as_ref().map(rows::claim).transpose()
    }

    /// Writes one entry of the invoice's access log.
    async fn record_check(&self, key: &InvoiceKey, insurer: &TenantId, verdict: &str) -> anyhow::Result<()> {
        let sql = "INSERT INTO invoice_checks (issuer, invoice_code, invoice_number, insurer_id, checked_ms, verdict) \
             VALUES ($1, $2, $3, $4, $5, $6)";
        let mut args = key_args(key);
        args.extend(args![id_bytes(insurer), Timestamp::now(), verdict]);
        self.execute(sql, args).await.context("recording an invoice check")?;
        Ok(())
    }

    /// The invoice's access log, newest first.
    async fn checks_of(&self, key: &InvoiceKey, limit: u32) -> anyhow::Result<Vec<CheckRow>> {
        let sql = format!(
            "SELECT t.name, c.checked_ms, c.verdict FROM invoice_checks c JOIN tenants t ON t.id = c.insurer_id \
             WHERE c.issuer = $1 AND c.invoice_code = $2 AND c.invoice_number = $3 \
             ORDER BY c.checked_ms DESC, {} DESC LIMIT $4",
            Self::CHECK_ORDER
        );
        let mut args = key_args(key);
        args.push(limit.into());
        self.fetch_all(&sql, args).await.context("reading the access log")?.iter().map(rows::check).collect()
    }

    /// Every claim on each of the invoices, oldest first, withdrawn ones included: one
    /// statement for a whole page of invoices.
    async fn claims_of_invoices(&self, keys: &[InvoiceKey]) -> anyhow::Result<Vec<ClaimRow>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE {} ORDER BY evidence_seq", Self::key_in(1));
        let rows = self.fetch_all(&sql, Self::key_args(keys)?).await.context("listing the claims of invoices")?;
        rows.iter().map(rows::claim).collect()
    }

    /// The latest `limit` entries of each invoice's access log, newest first: one statement
    /// for a whole page of invoices.
    async fn checks_of_invoices(&self, keys: &[InvoiceKey], limit: u32) -> anyhow::Result<Vec<(InvoiceKey, CheckRow)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT issuer, invoice_code, invoice_number, name, checked_ms, verdict FROM ( \
               SELECT c.issuer, c.invoice_code, c.invoice_number, t.name, c.checked_ms, c.verdict, \
                 row_number() OVER (PARTITION BY c.issuer, c.invoice_code, c.invoice_number \
                   ORDER BY c.checked_ms DESC, {} DESC) AS n \
               FROM invoice_checks c JOIN tenants t ON t.id = c.insurer_id WHERE {}) AS latest \
             WHERE n <= $1 ORDER BY issuer, invoice_code, invoice_number, n",
            Self::CHECK_ORDER,
            Self::key_in(2)
        );
        let mut args = args![limit];
        args.extend(Self::key_args(keys)?);
        let rows = self.fetch_all(&sql, args).await.context("reading the access logs")?;
        rows.iter().map(|r| Ok((rows::invoice_key(r)?, rows::check(r)?))).collect()
    }

    /// Deletes the hospital's stored invoice body and its record's salt, in one transaction. The
    /// leaf hash stays, so the block and the receipts already issued stay valid. The invoice's
    /// row is written first (the writer locks it too before a claim or a void); the salt is
    /// emptied only where this erasure set `erased_ms`.
    async fn erase_invoice(&self, key: &InvoiceKey, hospital: &TenantId) -> anyhow::Result<Erasure> {
        let now = Timestamp::now();
        let mut mark = key_args(key);
        mark.extend(args![id_bytes(hospital), now]);
        let mut salt = mark.clone();
        salt.push(Arg::Bytes(Some(Vec::new())));
        let body = format!(
            "UPDATE invoices SET body = NULL, erased_ms = $5 WHERE {KEY_IS} AND tenant_id = $4 AND erased_ms IS NULL"
        );
        let emptied = format!(
            "UPDATE evidence SET salt = $6 WHERE seq = \
             (SELECT evidence_seq FROM invoices WHERE {KEY_IS} AND tenant_id = $4 AND erased_ms = $5)"
        );
        let changed = self.transaction(vec![(&body, mark), (&emptied, salt)]).await.context("erasing an invoice")?;
        if changed.first() == Some(&1) {
            self.after_erasure().await;
            return Ok(Erasure::Erased);
        }
        let sql = format!("SELECT erased_ms FROM invoices WHERE {KEY_IS} AND tenant_id = $4");
        let mut args = key_args(key);
        args.push(id_bytes(hospital).into());
        let found = self.fetch_optional(&sql, args).await.context("reading the invoice to erase")?;
        Ok(if found.is_some() { Erasure::AlreadyErased } else { Erasure::NotFound })
    }
}
