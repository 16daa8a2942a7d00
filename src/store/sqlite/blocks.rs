//! Sealed blocks and their co-signatures.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::SqliteStore;
use super::codec;
use crate::domain::merkle_tiles::encode_roots;
use crate::domain::{Hash, Timestamp, WitnessName};
use crate::store::blocks::{BlockRow, BlockStore, CosignFact, CosignatureRow};

pub(super) const BLOCK_COLUMNS: &str = "height, first_seq, leaf_count, header, block_hash, sealed_ms, anchored_ms";

#[async_trait]
impl BlockStore for SqliteStore {
    async fn latest_block(&self) -> anyhow::Result<Option<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks ORDER BY height DESC LIMIT 1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_optional(self.pool()).await?;
        row.as_ref().map(block_from_row).transpose()
    }

    async fn block(&self, height: u64) -> anyhow::Result<Option<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(height as i64).fetch_optional(self.pool()).await?;
        row.as_ref().map(block_from_row).transpose()
    }

    /// The block whose range holds `seq`, if sealed.
    async fn block_containing(&self, seq: u64) -> anyhow::Result<Option<BlockRow>> {
        let sql = format!(
            "SELECT {BLOCK_COLUMNS} FROM blocks WHERE first_seq <= ? AND leaf_count > 0 ORDER BY first_seq DESC LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(seq as i64).fetch_optional(self.pool()).await?;
        Ok(row.as_ref().map(block_from_row).transpose()?.filter(|b| seq < b.end_seq()))
    }

    /// The block holding each of `seqs` (`None` where not sealed yet), in the order given: one
    /// statement for a whole page of records, not one query per record.
    async fn blocks_containing(&self, seqs: &[u64]) -> anyhow::Result<Vec<Option<BlockRow>>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let wanted = serde_json::to_string(seqs).context("sequence numbers as JSON")?;
        let columns = BLOCK_COLUMNS.split(", ").map(|c| format!("b.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT DISTINCT {columns} FROM json_each(?) s JOIN blocks b ON b.height = (
               SELECT height FROM blocks WHERE first_seq <= s.value AND leaf_count > 0
               ORDER BY first_seq DESC LIMIT 1)"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(wanted).fetch_all(self.pool()).await?;
        let blocks = rows.iter().map(block_from_row).collect::<anyhow::Result<Vec<_>>>()?;
        Ok(seqs.iter().map(|&seq| blocks.iter().find(|b| b.first_seq <= seq && seq < b.end_seq()).cloned()).collect())
    }

    /// The newest blocks below `before` (all when `None`), newest first, at most `limit`.
    async fn blocks_before(&self, before: Option<u64>, limit: u32) -> anyhow::Result<Vec<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height < ? ORDER BY height DESC LIMIT ?");
        let before = before.map_or(i64::MAX, |h| i64::try_from(h).unwrap_or(i64::MAX));
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(before).bind(i64::from(limit)).fetch_all(self.pool()).await?;
        rows.iter().map(block_from_row).collect()
    }

    /// Blocks from `height` on, oldest first, at most `limit`.
    async fn blocks_from(&self, height: u64, limit: u32) -> anyhow::Result<Vec<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height >= ? ORDER BY height LIMIT ?");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(height as i64)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(block_from_row).collect()
    }

    /// Appends a sealed block with its tile roots ([`crate::domain::merkle_tiles`]), in one
    /// transaction. Refuses (primary key) a second block at one height.
    async fn insert_block(&self, b: &BlockRow, tile_roots: &[Hash]) -> anyhow::Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("INSERT INTO blocks (height, first_seq, leaf_count, header, block_hash, sealed_ms) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(b.height as i64)
            .bind(b.first_seq as i64)
            .bind(b.leaf_count as i64)
            .bind(&b.header)
            .bind(b.block_hash.as_bytes().as_slice())
            .bind(b.sealed.unix_millis())
            .execute(&mut *tx)
            .await
            .with_context(|| format!("inserting block {}", b.height))?;
        if !tile_roots.is_empty() {
            sqlx::query("INSERT INTO block_tiles (height, roots) VALUES (?, ?)")
                .bind(b.height as i64)
                .bind(encode_roots(tile_roots))
                .execute(&mut *tx)
                .await
                .with_context(|| format!("inserting the tile roots of block {}", b.height))?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The tile roots stored with block `height` as stored (decode with
    /// [`crate::domain::merkle_tiles::decode_roots`]); `None` for a block sealed before they were.
    async fn block_tiles(&self, height: u64) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar("SELECT roots FROM block_tiles WHERE height = ?")
            .bind(height as i64)
            .fetch_optional(self.pool())
            .await?)
    }

    /// When the oldest block not yet anchored was sealed, if there is one.
    async fn oldest_unanchored_sealed(&self) -> anyhow::Result<Option<Timestamp>> {
        let ms: Option<i64> =
            sqlx::query_scalar("SELECT sealed_ms FROM blocks WHERE anchored_ms IS NULL ORDER BY height LIMIT 1")
                .fetch_optional(self.pool())
                .await?;
        Ok(ms.and_then(Timestamp::from_unix_millis))
    }

    /// The lowest height not yet anchored, if any.
    async fn oldest_unanchored(&self) -> anyhow::Result<Option<u64>> {
        let h: Option<i64> = sqlx::query_scalar("SELECT MIN(height) FROM blocks WHERE anchored_ms IS NULL")
            .fetch_one(self.pool())
            .await?;
        Ok(h.map(|h| h as u64))
    }

    async fn unanchored_cosigners(&self) -> anyhow::Result<Vec<CosignFact>> {
        let rows = sqlx::query(
            "SELECT c.height, c.witness, c.role FROM cosignatures c JOIN blocks b ON b.height = c.height \
             WHERE b.anchored_ms IS NULL \
               AND c.height >= (SELECT MIN(height) FROM blocks WHERE anchored_ms IS NULL) \
             ORDER BY c.height",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CosignFact {
                    height: r.try_get::<i64, _>("height")? as u64,
                    witness: codec::text(r, "witness")?,
                    role: codec::word(r, "role")?,
                })
            })
            .collect()
    }

    async fn mark_anchored(&self, heights: &[u64], at: Timestamp) -> anyhow::Result<u64> {
        let heights = serde_json::to_string(heights).context("heights as JSON")?;
        let done = sqlx::query(
            "UPDATE blocks SET anchored_ms = ? WHERE anchored_ms IS NULL AND height IN (SELECT value FROM json_each(?))",
        )
        .bind(at.unix_millis())
        .bind(heights)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// The highest height `witness` has co-signed, if any.
    async fn last_cosigned(&self, witness: &WitnessName) -> anyhow::Result<Option<u64>> {
        let h: Option<i64> = sqlx::query_scalar("SELECT MAX(height) FROM cosignatures WHERE witness = ?")
            .bind(witness.as_str())
            .fetch_one(self.pool())
            .await?;
        Ok(h.map(|h| h as u64))
    }

    async fn latest_cosignatures(&self, witnesses: &[WitnessName]) -> anyhow::Result<Vec<CosignatureRow>> {
        if witnesses.is_empty() {
            return Ok(Vec::new());
        }
        let names = serde_json::to_string(&witnesses.iter().map(WitnessName::as_str).collect::<Vec<_>>())
            .context("witness names as JSON")?;
        let rows = sqlx::query(
            "SELECT c.height, c.witness, c.role, c.cms, c.signed_ms FROM json_each(?) w \
             JOIN cosignatures c ON c.witness = w.value \
               AND c.height = (SELECT MAX(height) FROM cosignatures WHERE witness = w.value) \
             ORDER BY c.witness",
        )
        .bind(names)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(cosignature_from_row).collect()
    }

    /// One multi-row statement per 5,000 co-signatures (five bound values each).
    async fn insert_cosignatures(&self, rows: &[CosignatureRow]) -> anyhow::Result<()> {
        let mut tx = self.pool().begin().await?;
        for chunk in rows.chunks(5000) {
            let mut q: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT OR IGNORE INTO cosignatures (height, witness, role, cms, signed_ms) ");
            q.push_values(chunk, |mut b, c| {
                b.push_bind(c.height as i64)
                    .push_bind(c.witness.as_str().to_owned())
                    .push_bind(codec::stored(c.role))
                    .push_bind(c.cms.clone())
                    .push_bind(c.signed.unix_millis());
            });
            q.build().execute(&mut *tx).await.context("inserting co-signatures")?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn cosignatures(&self, height: u64) -> anyhow::Result<Vec<CosignatureRow>> {
        let sql = "SELECT height, witness, role, cms, signed_ms FROM cosignatures WHERE height = ? ORDER BY witness";
        let rows = sqlx::query(sql).bind(height as i64).fetch_all(self.pool()).await?;
        rows.iter().map(cosignature_from_row).collect()
    }

    async fn cosignatures_of(&self, heights: &[u64]) -> anyhow::Result<Vec<Vec<CosignatureRow>>> {
        let wanted = serde_json::to_string(heights).context("heights as JSON")?;
        let sql = "SELECT height, witness, role, cms, signed_ms FROM cosignatures \
                   WHERE height IN (SELECT value FROM json_each(?)) ORDER BY height, witness";
        let rows = sqlx::query(sql).bind(wanted).fetch_all(self.pool()).await?;
        let mut by_height: Vec<Vec<CosignatureRow>> = vec![Vec::new(); heights.len()];
        for row in &rows {
            let c = cosignature_from_row(row)?;
            for (i, _) in heights.iter().enumerate().filter(|(_, h)| **h == c.height) {
                by_height[i].push(c.clone());
            }
        }
        Ok(by_height)
    }
}

pub(super) fn cosignature_from_row(r: &SqliteRow) -> anyhow::Result<CosignatureRow> {
    Ok(CosignatureRow {
        height: r.try_get::<i64, _>("height")? as u64,
        witness: codec::text(r, "witness")?,
        role: codec::word(r, "role")?,
        cms: r.try_get("cms")?,
        signed: codec::time(r, "signed_ms")?,
    })
}

pub(super) fn block_from_row(r: &SqliteRow) -> anyhow::Result<BlockRow> {
    let anchored: Option<i64> = r.try_get("anchored_ms")?;
    Ok(BlockRow {
        height: r.try_get::<i64, _>("height")? as u64,
        first_seq: r.try_get::<i64, _>("first_seq")? as u64,
        leaf_count: r.try_get::<i64, _>("leaf_count")? as u64,
        header: r.try_get("header")?,
        block_hash: codec::hash(r, "block_hash")?,
        sealed: codec::time(r, "sealed_ms")?,
        anchored: anchored.and_then(Timestamp::from_unix_millis),
    })
}
