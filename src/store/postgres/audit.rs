//! What the audit reads, each row decoded on its own (a damaged row is something to report, not
//! a reason to stop), and the durable cursor of the scheduled audit.

use async_trait::async_trait;

use super::PgStore;
use super::blocks::{BLOCK_COLUMNS, block_from_row, cosignature_from_row};
use super::codec::{self, big};
use super::evidence::record_from_row;
use crate::store::audit::{AuditCursor, AuditRow, AuditStore};
use crate::store::blocks::{BlockRow, CosignatureRow};
use crate::store::evidence::EvidenceRecord;

#[async_trait]
impl AuditStore for PgStore {
    async fn blocks_for_audit(
        &self,
        from: u64,
        through: u64,
        limit: u32,
    ) -> anyhow::Result<Vec<AuditRow<u64, BlockRow>>> {
        let sql =
            format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height >= $1 AND height <= $2 ORDER BY height LIMIT $3");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(big(from))
            .bind(big(through))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok((codec::uint(r, "height")?, block_from_row(r)))).collect()
    }

    async fn max_height(&self) -> anyhow::Result<Option<u64>> {
        let h: Option<i64> = sqlx::query_scalar("SELECT max(height) FROM blocks").fetch_one(self.pool()).await?;
        Ok(h.map(|h| h as u64))
    }

    async fn evidence_for_audit(&self, first: u64, count: u64) -> anyhow::Result<Vec<AuditRow<u64, EvidenceRecord>>> {
        let rows = self.evidence_rows(first, count).await?;
        rows.iter().map(|r| Ok((codec::uint(r, "seq")?, record_from_row(r)))).collect()
    }

    async fn cosignatures_for_audit(
        &self,
        from: u64,
        through: u64,
    ) -> anyhow::Result<Vec<(u64, AuditRow<String, CosignatureRow>)>> {
        let rows = sqlx::query(
            "SELECT height, witness, role, cms, signed_ms FROM cosignatures WHERE height >= $1 AND height <= $2 \
             ORDER BY height, witness",
        )
        .bind(big(from))
        .bind(big(through))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((codec::uint(r, "height")?, (codec::get::<String>(r, "witness")?, cosignature_from_row(r)))))
            .collect()
    }

    async fn tiles_for_audit(&self, from: u64, through: u64) -> anyhow::Result<Vec<(u64, Vec<u8>)>> {
        let rows =
            sqlx::query("SELECT height, roots FROM block_tiles WHERE height >= $1 AND height <= $2 ORDER BY height")
                .bind(big(from))
                .bind(big(through))
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(|r| Ok((codec::uint(r, "height")?, codec::get::<Vec<u8>>(r, "roots")?))).collect()
    }

    async fn audit_cursor(&self) -> anyhow::Result<Option<AuditCursor>> {
        let row = sqlx::query("SELECT height, block_hash, log, end_seq, audited_ms FROM audit_cursor WHERE id = 1")
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(AuditCursor {
                height: codec::uint(&r, "height")?,
                block_hash: codec::hash(&r, "block_hash")?,
                log: codec::text(&r, "log")?,
                end_seq: codec::uint(&r, "end_seq")?,
                audited: codec::time(&r, "audited_ms")?,
            })
        })
        .transpose()
    }

    async fn set_audit_cursor(&self, c: &AuditCursor) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO audit_cursor (id, height, block_hash, log, end_seq, audited_ms) \
             VALUES (1, $1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET height = excluded.height, block_hash = excluded.block_hash, \
             log = excluded.log, end_seq = excluded.end_seq, audited_ms = excluded.audited_ms",
        )
        .bind(big(c.height))
        .bind(c.block_hash.as_bytes().as_slice())
        .bind(c.log.as_str())
        .bind(big(c.end_seq))
        .bind(c.audited.unix_millis())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
