//! What the audit reads, each row decoded on its own (a damaged row is something to report, not
//! a reason to stop), and the durable cursor of the scheduled audit, on any SQL backend.

use async_trait::async_trait;

use super::{BLOCK_COLUMNS, EVIDENCE_COLUMNS};
use super::{Sql, args, number};
use crate::store::audit::{AuditCursor, AuditRow, AuditStore, LedgerMismatch};
use crate::store::blocks::{BlockRow, CosignatureRow};
use crate::store::evidence::EvidenceRecord;
use crate::store::rows::{self, StoredRow};

#[async_trait]
impl<S: Sql> AuditStore for S {
    /// Blocks with heights in `[from, through]`, oldest first, at most `limit`.
    async fn blocks_for_audit(
        &self,
        from: u64,
        through: u64,
        limit: u32,
    ) -> anyhow::Result<Vec<AuditRow<u64, BlockRow>>> {
        let sql =
            format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height >= $1 AND height <= $2 ORDER BY height LIMIT $3");
        let rows = self.fetch_all(&sql, args![from, through, limit]).await?;
        rows.iter().map(|r| Ok((r.uint("height")?, rows::block(r)))).collect()
    }

    /// The highest block height stored, if any (without decoding the row).
    async fn max_height(&self) -> anyhow::Result<Option<u64>> {
        number(self, "SELECT max(height) AS n FROM blocks", args![]).await
    }

    /// The records with `seq` in `[first, first + count)`, in order.
    async fn evidence_for_audit(&self, first: u64, count: u64) -> anyhow::Result<Vec<AuditRow<u64, EvidenceRecord>>> {
        let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE seq >= $1 AND seq < $2 ORDER BY seq");
        let rows = self.fetch_all(&sql, args![first, first.saturating_add(count)]).await?;
        rows.iter().map(|r| Ok((r.uint("seq")?, rows::record(r)))).collect()
    }

    async fn cosignatures_for_audit(
        &self,
        from: u64,
        through: u64,
    ) -> anyhow::Result<Vec<(u64, AuditRow<String, CosignatureRow>)>> {
        let sql = "SELECT height, witness, role, cms, signed_ms FROM cosignatures WHERE height >= $1 AND height <= $2 \
             ORDER BY height, witness";
        let rows = self.fetch_all(sql, args![from, through]).await?;
        rows.iter().map(|r| Ok((r.uint("height")?, (r.string("witness")?, rows::cosignature(r))))).collect()
    }

    async fn tiles_for_audit(&self, from: u64, through: u64) -> anyhow::Result<Vec<(u64, Vec<u8>)>> {
        let sql = "SELECT height, roots FROM block_tiles WHERE height >= $1 AND height <= $2 ORDER BY height";
        let rows = self.fetch_all(sql, args![from, through]).await?;
        rows.iter().map(|r| Ok((r.uint("height")?, r.bytes("roots")?))).collect()
    }

    async fn invoice_ledger_mismatches(&self, limit: u32) -> anyhow::Result<Vec<LedgerMismatch>> {
        // `sum` of a PostgreSQL bigint is a numeric: cast back, on both backends alike.
        let sql = "SELECT i.issuer, i.invoice_code, i.invoice_number, i.claimed_cents, i.active_claims, \
             CAST(coalesce(c.cents, 0) AS bigint) AS claims_cents, CAST(coalesce(c.n, 0) AS bigint) AS claims_n \
             FROM invoices i LEFT JOIN (SELECT issuer, invoice_code, invoice_number, \
             sum(amount_cents) AS cents, count(*) AS n FROM claims WHERE withdrawal_seq IS NULL \
             GROUP BY issuer, invoice_code, invoice_number) c \
             ON c.issuer = i.issuer AND c.invoice_code = i.invoice_code AND c.invoice_number = i.invoice_number \
             WHERE i.claimed_cents <> coalesce(c.cents, 0) OR i.active_claims <> coalesce(c.n, 0) \
             ORDER BY i.issuer, i.invoice_code, i.invoice_number LIMIT $1";
        let rows = self.fetch_all(sql, args![limit]).await?;
        rows.iter()
            .map(|r| {
                Ok(LedgerMismatch {
                    issuer: r.string("issuer")?,
                    invoice_code: r.string("invoice_code")?,
                    invoice_number: r.string("invoice_number")?,
                    claimed_cents: (r.int("claimed_cents")?, r.int("claims_cents")?),
                    active_claims: (r.int("active_claims")?, r.int("claims_n")?),
                })
            })
            .collect()
    }

    /// The scheduled audit's cursor, if it has found a block consistent yet.
    async fn audit_cursor(&self) -> anyhow::Result<Option<AuditCursor>> {
        let sql = "SELECT height, block_hash, log, end_seq, audited_ms FROM audit_cursor WHERE id = 1";
        self.fetch_optional(sql, args![]).await?.as_ref().map(rows::audit_cursor).transpose()
    }

    /// Moves the cursor (one short write; never on the evidence writer's connection).
    async fn set_audit_cursor(&self, c: &AuditCursor) -> anyhow::Result<()> {
        let sql = "INSERT INTO audit_cursor (id, height, block_hash, log, end_seq, audited_ms) \
             VALUES (1, $1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET height = excluded.height, block_hash = excluded.block_hash, \
             log = excluded.log, end_seq = excluded.end_seq, audited_ms = excluded.audited_ms";
        self.execute(sql, args![c.height, c.block_hash.as_bytes(), c.log.as_str(), c.end_seq, c.audited]).await?;
        Ok(())
    }
}
