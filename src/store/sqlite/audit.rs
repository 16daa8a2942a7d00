//! What the audit reads, each row decoded on its own (a damaged row is something to report, not
//! a reason to stop), and the durable cursor of the scheduled audit.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::SqliteStore;
use super::blocks::{BLOCK_COLUMNS, block_from_row, cosignature_from_row};
use super::codec;
use super::evidence::record_from_row;
use crate::store::audit::{AuditCursor, AuditRow, AuditStore};
use crate::store::blocks::{BlockRow, CosignatureRow};
use crate::store::evidence::EvidenceRecord;

#[async_trait]
impl AuditStore for SqliteStore {
    /// Blocks with heights in `[from, through]`, oldest first, at most `limit`.
    async fn blocks_for_audit(
        &self,
        from: u64,
        through: u64,
        limit: u32,
    ) -> anyhow::Result<Vec<AuditRow<u64, BlockRow>>> {
        let sql =
            format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height >= ? AND height <= ? ORDER BY height LIMIT ?");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(from as i64)
            .bind(through as i64)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok((key::<i64>(r, "height")? as u64, block_from_row(r)))).collect()
    }

    /// The highest block height stored, if any (without decoding the row).
    async fn max_height(&self) -> anyhow::Result<Option<u64>> {
        let h: Option<i64> = sqlx::query_scalar("SELECT MAX(height) FROM blocks").fetch_one(self.pool()).await?;
        Ok(h.map(|h| h as u64))
    }

    /// The records with `seq` in `[first, first + count)`, in order.
    async fn evidence_for_audit(&self, first: u64, count: u64) -> anyhow::Result<Vec<AuditRow<u64, EvidenceRecord>>> {
        let rows = self.evidence_rows(first, count).await?;
        rows.iter().map(|r| Ok((key::<i64>(r, "seq")? as u64, record_from_row(r)))).collect()
    }

    async fn cosignatures_for_audit(
        &self,
        from: u64,
        through: u64,
    ) -> anyhow::Result<Vec<(u64, AuditRow<String, CosignatureRow>)>> {
        let rows = sqlx::query(
            "SELECT height, witness, role, cms, signed_ms FROM cosignatures WHERE height >= ? AND height <= ? \
             ORDER BY height, witness",
        )
        .bind(from as i64)
        .bind(through as i64)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((key::<i64>(r, "height")? as u64, (key::<String>(r, "witness")?, cosignature_from_row(r)))))
            .collect()
    }

    async fn tiles_for_audit(&self, from: u64, through: u64) -> anyhow::Result<Vec<(u64, Vec<u8>)>> {
        let rows =
            sqlx::query("SELECT height, roots FROM block_tiles WHERE height >= ? AND height <= ? ORDER BY height")
                .bind(from as i64)
                .bind(through as i64)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(|r| Ok((key::<i64>(r, "height")? as u64, key::<Vec<u8>>(r, "roots")?))).collect()
    }

    /// The scheduled audit's cursor, if it has found a block consistent yet.
    async fn audit_cursor(&self) -> anyhow::Result<Option<AuditCursor>> {
        let row = sqlx::query("SELECT height, block_hash, log, end_seq, audited_ms FROM audit_cursor WHERE id = 1")
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(AuditCursor {
                height: key::<i64>(&r, "height")? as u64,
                block_hash: codec::hash(&r, "block_hash")?,
                log: codec::text(&r, "log")?,
                end_seq: key::<i64>(&r, "end_seq")? as u64,
                audited: codec::time(&r, "audited_ms")?,
            })
        })
        .transpose()
    }

    /// Moves the cursor (one short write; never on the evidence writer's connection).
    async fn set_audit_cursor(&self, c: &AuditCursor) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO audit_cursor (id, height, block_hash, log, end_seq, audited_ms) VALUES (1, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET height = excluded.height, block_hash = excluded.block_hash, \
             log = excluded.log, end_seq = excluded.end_seq, audited_ms = excluded.audited_ms",
        )
        .bind(c.height as i64)
        .bind(c.block_hash.as_bytes().as_slice())
        .bind(c.log.as_str())
        .bind(c.end_seq as i64)
        .bind(c.audited.unix_millis())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

fn key<T>(r: &SqliteRow, col: &str) -> anyhow::Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    Ok(r.try_get(col)?)
}
