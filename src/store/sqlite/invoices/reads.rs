//! Reading invoices, claims and the access log; recording checks; erasure.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::super::SqliteStore;
use super::super::codec::{self, id_bytes};
use crate::domain::invoice::{Amount, Ledger};
use crate::domain::{EvidenceId, TenantId, Timestamp};
use crate::store::invoices::{CheckRow, ClaimRow, Erasure, InvoiceKey, InvoiceRow, InvoiceStore};

const INVOICE_COLUMNS: &str = "issuer, invoice_code, invoice_number, tenant_id, evidence_seq, content_hash, currency, \
    total_cents, reimbursable_cents, claimed_cents, active_claims, body, erased_ms, signer, void_seq, void_reason";
const CLAIM_COLUMNS: &str = "id, issuer, invoice_code, invoice_number, insurer_id, claim_reference, amount_cents, \
    claimed_ms, withdrawn_ms, evidence_seq, withdrawal_seq, \
    (SELECT name FROM tenants WHERE tenants.id = claims.insurer_id) AS insurer_name";
const KEY_IS: &str = "issuer = ? AND invoice_code = ? AND invoice_number = ?";
/// The key is one of a JSON array of `[issuer, code, number]` bound once ([`keys_json`]).
const KEY_IN: &str = "(issuer, invoice_code, invoice_number) IN (SELECT json_extract(value, '$[0]'), \
    json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?))";

#[async_trait]
impl InvoiceStore for SqliteStore {
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

    /// A hospital's invoices, newest first, issued before the record `before` when given.
    async fn invoices_of(
        &self,
        hospital: &TenantId,
        before: Option<u64>,
        limit: u32,
    ) -> anyhow::Result<Vec<InvoiceRow>> {
        let sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE tenant_id = ? AND evidence_seq < ? \
             ORDER BY evidence_seq DESC LIMIT ?"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id_bytes(hospital))
            .bind(before.map_or(i64::MAX, |b| b as i64))
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await
            .context("listing invoices")?;
        rows.iter().map(invoice_from_row).collect()
    }

    /// Every claim on the invoice, oldest first, withdrawn ones included.
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
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id_bytes(id))
            .fetch_optional(self.pool())
            .await
            .context("reading a claim")?;
        row.as_ref().map(claim_from_row).transpose()
    }

    /// Writes one entry of the invoice's access log.
    async fn record_check(&self, key: &InvoiceKey, insurer: &TenantId, verdict: &str) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO invoice_checks (issuer, invoice_code, invoice_number, insurer_id, checked_ms, verdict) \
             VALUES (?, ?, ?, ?, ?, ?)",
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

    /// The invoice's access log, newest first.
    async fn checks_of(&self, key: &InvoiceKey, limit: u32) -> anyhow::Result<Vec<CheckRow>> {
        let rows = sqlx::query(
            "SELECT t.name, c.checked_ms, c.verdict FROM invoice_checks c JOIN tenants t ON t.id = c.insurer_id \
             WHERE c.issuer = ? AND c.invoice_code = ? AND c.invoice_number = ? ORDER BY c.checked_ms DESC, c.rowid DESC \
             LIMIT ?",
        )
        .bind(&key.issuer)
        .bind(&key.code)
        .bind(&key.number)
        .bind(limit as i64)
        .fetch_all(self.pool())
        .await
        .context("reading the access log")?;
        rows.iter().map(check_from_row).collect()
    }

    /// Every claim on each of the invoices, oldest first, withdrawn ones included: one
    /// statement for a whole page of invoices.
    async fn claims_of_invoices(&self, keys: &[InvoiceKey]) -> anyhow::Result<Vec<ClaimRow>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE {KEY_IN} ORDER BY evidence_seq");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(keys_json(keys)?)
            .fetch_all(self.pool())
            .await
            .context("listing the claims of invoices")?;
        rows.iter().map(claim_from_row).collect()
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
                 ROW_NUMBER() OVER (PARTITION BY c.issuer, c.invoice_code, c.invoice_number \
                   ORDER BY c.checked_ms DESC, c.rowid DESC) AS n \
               FROM invoice_checks c JOIN tenants t ON t.id = c.insurer_id WHERE {KEY_IN}) \
             WHERE n <= ? ORDER BY issuer, invoice_code, invoice_number, n"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(keys_json(keys)?)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await
            .context("reading the access logs")?;
        rows.iter().map(|r| Ok((key_from_row(r)?, check_from_row(r)?))).collect()
    }

    /// Deletes the hospital's stored invoice body and its record's salt. The leaf hash stays,
    /// so the block and the receipts already issued stay valid. With `secure_delete` the freed
    /// bytes are zeroed, and the WAL is checkpointed so no older page copy remains there.
    async fn erase_invoice(&self, key: &InvoiceKey, hospital: &TenantId) -> anyhow::Result<Erasure> {
        // IMMEDIATE: a deferred transaction that reads and then writes fails at once with
        // SQLITE_BUSY when the writer commits in between (see the writer).
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await.context("beginning the erasure")?;
        let sql = format!("SELECT evidence_seq, erased_ms FROM invoices WHERE {KEY_IS} AND tenant_id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&key.issuer)
            .bind(&key.code)
            .bind(&key.number)
            .bind(id_bytes(hospital))
            .fetch_optional(&mut *tx)
            .await
            .context("reading the invoice to erase")?;
        let Some(row) = row else { return Ok(Erasure::NotFound) };
        if row.try_get::<Option<i64>, _>("erased_ms")?.is_some() {
            return Ok(Erasure::AlreadyErased);
        }
        let sql = format!("UPDATE invoices SET body = NULL, erased_ms = ? WHERE {KEY_IS}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(Timestamp::now().unix_millis())
            .bind(&key.issuer)
            .bind(&key.code)
            .bind(&key.number)
            .execute(&mut *tx)
            .await
            .context("erasing the invoice body")?;
        sqlx::query("UPDATE evidence SET salt = X'' WHERE seq = ?")
            .bind(row.try_get::<i64, _>("evidence_seq")?)
            .execute(&mut *tx)
            .await
            .context("erasing the record's salt")?;
        tx.commit().await.context("committing the erasure")?;
        // A reader still open on an older snapshot blocks the checkpoint; SQLite says so in the
        // result row (busy = 1), not as an error. The next checkpoint then copies the zeroed pages.
        match sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(self.pool()).await {
            Ok(row) if row.try_get::<i64, _>(0).unwrap_or(1) == 0 => {}
            Ok(_) => {
                tracing::warn!("the WAL checkpoint after an erasure was blocked by a reader; the next one completes it")
            }
            Err(e) => tracing::warn!("checkpoint after an erasure: {e:#}"),
        }
        Ok(Erasure::Erased)
    }
}

pub(super) fn ledger_from_row(r: &SqliteRow) -> anyhow::Result<Ledger> {
    let cents = |col: &str| -> anyhow::Result<Amount> { Ok(Amount(r.try_get::<i64, _>(col)? as u64)) };
    Ok(Ledger {
        reimbursable: cents("reimbursable_cents")?,
        claimed: cents("claimed_cents")?,
        active_claims: r.try_get::<i64, _>("active_claims")? as u32,
        voided: r.try_get::<Option<i64>, _>("void_seq")?.is_some(),
    })
}

fn invoice_from_row(r: &SqliteRow) -> anyhow::Result<InvoiceRow> {
    Ok(InvoiceRow {
        key: key_from_row(r)?,
        hospital: codec::tenant_id(r, "tenant_id")?,
        evidence_seq: r.try_get::<i64, _>("evidence_seq")? as u64,
        content_hash: codec::hash(r, "content_hash")?,
        currency: r.try_get("currency")?,
        total: Amount(r.try_get::<i64, _>("total_cents")? as u64),
        ledger: ledger_from_row(r)?,
        body: r.try_get("body")?,
        erased: optional_time(r, "erased_ms")?,
        signer: r.try_get("signer")?,
        void_seq: r.try_get::<Option<i64>, _>("void_seq")?.map(|s| s as u64),
        void_reason: r.try_get("void_reason")?,
    })
}

fn claim_from_row(r: &SqliteRow) -> anyhow::Result<ClaimRow> {
    Ok(ClaimRow {
        id: codec::evidence_id(r, "id")?,
        key: key_from_row(r)?,
        insurer: codec::tenant_id(r, "insurer_id")?,
        insurer_name: r.try_get("insurer_name")?,
        reference: r.try_get("claim_reference")?,
        amount: Amount(r.try_get::<i64, _>("amount_cents")? as u64),
        claimed: codec::time(r, "claimed_ms")?,
        withdrawn: optional_time(r, "withdrawn_ms")?,
        evidence_seq: r.try_get::<i64, _>("evidence_seq")? as u64,
        withdrawal_seq: r.try_get::<Option<i64>, _>("withdrawal_seq")?.map(|s| s as u64),
    })
}

fn check_from_row(r: &SqliteRow) -> anyhow::Result<CheckRow> {
    Ok(CheckRow { insurer: r.try_get("name")?, checked: codec::time(r, "checked_ms")?, verdict: r.try_get("verdict")? })
}

/// The keys as the JSON array `[[issuer, code, number], ...]` that [`KEY_IN`] reads.
fn keys_json(keys: &[InvoiceKey]) -> anyhow::Result<String> {
    let triples: Vec<[&str; 3]> = keys.iter().map(|k| [k.issuer.as_str(), &k.code, &k.number]).collect();
    serde_json::to_string(&triples).context("invoice keys as JSON")
}

fn key_from_row(r: &SqliteRow) -> anyhow::Result<InvoiceKey> {
    Ok(InvoiceKey {
        issuer: r.try_get("issuer")?,
        code: r.try_get("invoice_code")?,
        number: r.try_get("invoice_number")?,
    })
}

fn optional_time(r: &SqliteRow, col: &str) -> anyhow::Result<Option<Timestamp>> {
    let ms: Option<i64> = r.try_get(col)?;
    ms.map(|ms| Timestamp::from_unix_millis(ms).context("time out of range")).transpose()
}
