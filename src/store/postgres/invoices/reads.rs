//! Reading invoices, claims and the access log; recording checks; erasure.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::postgres::PgRow;

use super::super::PgStore;
use super::super::codec::{self, big, id_bytes};
use crate::domain::invoice::{Amount, Ledger};
use crate::domain::{EvidenceId, TenantId, Timestamp};
use crate::store::invoices::{CheckRow, ClaimRow, Erasure, InvoiceKey, InvoiceRow, InvoiceStore};

const INVOICE_COLUMNS: &str = "issuer, invoice_code, invoice_number, tenant_id, evidence_seq, content_hash, currency, \
    total_cents, reimbursable_cents, claimed_cents, active_claims, body, erased_ms, signer, void_seq, void_reason";
const CLAIM_COLUMNS: &str = "id, issuer, invoice_code, invoice_number, insurer_id, claim_reference, amount_cents, \
    claimed_ms, withdrawn_ms, evidence_seq, withdrawal_seq, \
    (SELECT name FROM tenants WHERE tenants.id = claims.insurer_id) AS insurer_name";
const KEY_IS: &str = "issuer = $1 AND invoice_code = $2 AND invoice_number = $3";
/// The key is one of the triples of three arrays bound at `$1`, `$2`, `$3` ([`key_arrays`]).
const KEY_IN: &str = "(issuer, invoice_code, invoice_number) IN \
    (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))";

#[async_trait]
impl InvoiceStore for PgStore {
    async fn invoice(&self, key: &InvoiceKey) -> anyhow::Result<Option<InvoiceRow>> {
        let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE {KEY_IS}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&key.issuer)
            .bind(&key.code)
            .bind(&key.number)
            .fetch_optional(self.pool())
            .await
            .context("reading an invoice")?;
        row.as_ref().map(invoice_from_row).transpose()
    }

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
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id_bytes(hospital))
            .bind(before.map_or(i64::MAX, big))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await
            .context("listing invoices")?;
        rows.iter().map(invoice_from_row).collect()
    }

    async fn claims_of(&self, key: &InvoiceKey) -> anyhow::Result<Vec<ClaimRow>> {
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE {KEY_IS} ORDER BY evidence_seq");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&key.issuer)
            .bind(&key.code)
            .bind(&key.number)
            .fetch_all(self.pool())
            .await
            .context("listing claims")?;
        rows.iter().map(claim_from_row).collect()
    }

    async fn claim(&self, id: &EvidenceId) -> anyhow::Result<Option<ClaimRow>> {
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id_bytes(id))
            .fetch_optional(self.pool())
            .await
            .context("reading a claim")?;
        row.as_ref().map(claim_from_row).transpose()
    }

    async fn record_check(&self, key: &InvoiceKey, insurer: &TenantId, verdict: &str) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO invoice_checks (issuer, invoice_code, invoice_number, insurer_id, checked_ms, verdict) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&key.issuer)
        .bind(&key.code)
        .bind(&key.number)
        .bind(id_bytes(insurer))
        .bind(Timestamp::now().unix_millis())
        .bind(verdict)
        .execute(self.pool())
        .await
        .context("recording an invoice check")?;
        Ok(())
    }

    async fn checks_of(&self, key: &InvoiceKey, limit: u32) -> anyhow::Result<Vec<CheckRow>> {
        let rows = sqlx::query(
            "SELECT t.name, c.checked_ms, c.verdict FROM invoice_checks c JOIN tenants t ON t.id = c.insurer_id \
             WHERE c.issuer = $1 AND c.invoice_code = $2 AND c.invoice_number = $3 \
             ORDER BY c.checked_ms DESC, c.id DESC LIMIT $4",
        )
        .bind(&key.issuer)
        .bind(&key.code)
        .bind(&key.number)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .context("reading the access log")?;
        rows.iter().map(check_from_row).collect()
    }

    async fn claims_of_invoices(&self, keys: &[InvoiceKey]) -> anyhow::Result<Vec<ClaimRow>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE {KEY_IN} ORDER BY evidence_seq");
        let (issuers, codes, numbers) = key_arrays(keys);
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(issuers)
            .bind(codes)
            .bind(numbers)
            .fetch_all(self.pool())
            .await
            .context("listing the claims of invoices")?;
        rows.iter().map(claim_from_row).collect()
    }

    async fn checks_of_invoices(&self, keys: &[InvoiceKey], limit: u32) -> anyhow::Result<Vec<(InvoiceKey, CheckRow)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT issuer, invoice_code, invoice_number, name, checked_ms, verdict FROM ( \
               SELECT c.issuer, c.invoice_code, c.invoice_number, t.name, c.checked_ms, c.verdict, \
                 row_number() OVER (PARTITION BY c.issuer, c.invoice_code, c.invoice_number \
                   ORDER BY c.checked_ms DESC, c.id DESC) AS n \
               FROM invoice_checks c JOIN tenants t ON t.id = c.insurer_id WHERE {KEY_IN}) AS latest \
             WHERE n <= $4 ORDER BY issuer, invoice_code, invoice_number, n"
        );
        let (issuers, codes, numbers) = key_arrays(keys);
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(issuers)
            .bind(codes)
            .bind(numbers)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await
            .context("reading the access logs")?;
        rows.iter().map(|r| Ok((key_from_row(r)?, check_from_row(r)?))).collect()
    }

    /// Empties the body and the record's salt in one transaction, the invoice's row locked
    /// first (the writer locks it too before a claim or a void). The rows' old versions stay in
    /// the table files until vacuum reclaims them and in the WAL until it is recycled, as with
    /// any PostgreSQL update; no query returns them.
    async fn erase_invoice(&self, key: &InvoiceKey, hospital: &TenantId) -> anyhow::Result<Erasure> {
        let mut tx = self.pool().begin().await.context("beginning the erasure")?;
        let sql = format!("SELECT evidence_seq, erased_ms FROM invoices WHERE {KEY_IS} AND tenant_id = $4 FOR UPDATE");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&key.issuer)
            .bind(&key.code)
            .bind(&key.number)
            .bind(id_bytes(hospital))
            .fetch_optional(&mut *tx)
            .await
            .context("reading the invoice to erase")?;
        let Some(row) = row else { return Ok(Erasure::NotFound) };
        if codec::maybe_uint(&row, "erased_ms")?.is_some() {
            return Ok(Erasure::AlreadyErased);
        }
        let sql = format!("UPDATE invoices SET body = NULL, erased_ms = $4 WHERE {KEY_IS}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&key.issuer)
            .bind(&key.code)
            .bind(&key.number)
            .bind(Timestamp::now().unix_millis())
            .execute(&mut *tx)
            .await
            .context("erasing the invoice body")?;
        sqlx::query("UPDATE evidence SET salt = ''::bytea WHERE seq = $1")
            .bind(codec::get::<i64>(&row, "evidence_seq")?)
            .execute(&mut *tx)
            .await
            .context("erasing the record's salt")?;
        tx.commit().await.context("committing the erasure")?;
        Ok(Erasure::Erased)
    }
}

pub(super) fn ledger_from_row(r: &PgRow) -> anyhow::Result<Ledger> {
    Ok(Ledger {
        reimbursable: Amount(codec::uint(r, "reimbursable_cents")?),
        claimed: Amount(codec::uint(r, "claimed_cents")?),
        active_claims: u32::try_from(codec::uint(r, "active_claims")?).context("column active_claims")?,
        voided: codec::maybe_uint(r, "void_seq")?.is_some(),
    })
}

fn invoice_from_row(r: &PgRow) -> anyhow::Result<InvoiceRow> {
    Ok(InvoiceRow {
        key: key_from_row(r)?,
        hospital: codec::tenant_id(r, "tenant_id")?,
        evidence_seq: codec::uint(r, "evidence_seq")?,
        content_hash: codec::hash(r, "content_hash")?,
        currency: codec::get(r, "currency")?,
        total: Amount(codec::uint(r, "total_cents")?),
        ledger: ledger_from_row(r)?,
        body: codec::get(r, "body")?,
        erased: optional_time(r, "erased_ms")?,
        signer: codec::get(r, "signer")?,
        void_seq: codec::maybe_uint(r, "void_seq")?,
        void_reason: codec::get(r, "void_reason")?,
    })
}

fn claim_from_row(r: &PgRow) -> anyhow::Result<ClaimRow> {
    Ok(ClaimRow {
        id: codec::evidence_id(r, "id")?,
        key: key_from_row(r)?,
        insurer: codec::tenant_id(r, "insurer_id")?,
        insurer_name: codec::get(r, "insurer_name")?,
        reference: codec::get(r, "claim_reference")?,
        amount: Amount(codec::uint(r, "amount_cents")?),
        claimed: codec::time(r, "claimed_ms")?,
        withdrawn: optional_time(r, "withdrawn_ms")?,
        evidence_seq: codec::uint(r, "evidence_seq")?,
        withdrawal_seq: codec::maybe_uint(r, "withdrawal_seq")?,
    })
}

fn check_from_row(r: &PgRow) -> anyhow::Result<CheckRow> {
    Ok(CheckRow {
        insurer: codec::get(r, "name")?,
        checked: codec::time(r, "checked_ms")?,
        verdict: codec::get(r, "verdict")?,
    })
}

/// The keys as three parallel arrays, which [`KEY_IN`] zips back into triples.
fn key_arrays(keys: &[InvoiceKey]) -> (Vec<&str>, Vec<&str>, Vec<&str>) {
    let issuers = keys.iter().map(|k| k.issuer.as_str()).collect();
    let codes = keys.iter().map(|k| k.code.as_str()).collect();
    let numbers = keys.iter().map(|k| k.number.as_str()).collect();
    (issuers, codes, numbers)
}

fn key_from_row(r: &PgRow) -> anyhow::Result<InvoiceKey> {
    Ok(InvoiceKey {
        issuer: codec::get(r, "issuer")?,
        code: codec::get(r, "invoice_code")?,
        number: codec::get(r, "invoice_number")?,
    })
}

/// A time that may be absent; one out of range is an error (a damaged row).
fn optional_time(r: &PgRow, col: &str) -> anyhow::Result<Option<Timestamp>> {
    let ms: Option<i64> = codec::get(r, col)?;
    ms.map(|ms| Timestamp::from_unix_millis(ms).context("time out of range")).transpose()
}
