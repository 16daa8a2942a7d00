//! Sealed blocks and their co-signatures.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::postgres::PgRow;

use super::PgStore;
use super::codec::{self, big, bigs};
use crate::domain::merkle_tiles::encode_roots;
use crate::domain::{Hash, Timestamp, WitnessName};
use crate::store::blocks::{BlockRow, BlockStore, CosignFact, CosignatureRow};

pub(super) const BLOCK_COLUMNS: &str = "height, first_seq, leaf_count, header, block_hash, sealed_ms, anchored_ms";
const COSIGNATURE_COLUMNS: &str = "height, witness, role, cms, signed_ms";

#[async_trait]
impl BlockStore for PgStore {
    async fn latest_block(&self) -> anyhow::Result<Option<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks ORDER BY height DESC LIMIT 1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_optional(self.pool()).await?;
        row.as_ref().map(block_from_row).transpose()
    }

    async fn block(&self, height: u64) -> anyhow::Result<Option<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(big(height)).fetch_optional(self.pool()).await?;
        row.as_ref().map(block_from_row).transpose()
    }

    async fn block_containing(&self, seq: u64) -> anyhow::Result<Option<BlockRow>> {
        let sql = format!(
            "SELECT {BLOCK_COLUMNS} FROM blocks WHERE first_seq <= $1 AND leaf_count > 0 \
             ORDER BY first_seq DESC LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(big(seq)).fetch_optional(self.pool()).await?;
        Ok(row.as_ref().map(block_from_row).transpose()?.filter(|b| seq < b.end_seq()))
    }

    /// One statement for a whole page of records: each seq's candidate block, distinct.
    async fn blocks_containing(&self, seqs: &[u64]) -> anyhow::Result<Vec<Option<BlockRow>>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let columns = BLOCK_COLUMNS.split(", ").map(|c| format!("b.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT DISTINCT {columns} FROM unnest($1::bigint[]) AS s(seq) JOIN blocks b ON b.height = (
               SELECT height FROM blocks WHERE first_seq <= s.seq AND leaf_count > 0
               ORDER BY first_seq DESC LIMIT 1)"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(bigs(seqs)).fetch_all(self.pool()).await?;
        let blocks = rows.iter().map(block_from_row).collect::<anyhow::Result<Vec<_>>>()?;
        Ok(seqs.iter().map(|&seq| blocks.iter().find(|b| b.first_seq <= seq && seq < b.end_seq()).cloned()).collect())
    }

    async fn blocks_before(&self, before: Option<u64>, limit: u32) -> anyhow::Result<Vec<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height < $1 ORDER BY height DESC LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(before.map_or(i64::MAX, big))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(block_from_row).collect()
    }

    async fn blocks_from(&self, height: u64, limit: u32) -> anyhow::Result<Vec<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height >= $1 ORDER BY height LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(big(height))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(block_from_row).collect()
    }

    /// Refuses (primary key) a second block at one height, whichever node seals it.
    async fn insert_block(&self, b: &BlockRow, tile_roots: &[Hash]) -> anyhow::Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO blocks (height, first_seq, leaf_count, header, block_hash, sealed_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(big(b.height))
        .bind(big(b.first_seq))
        .bind(big(b.leaf_count))
        .bind(&b.header)
        .bind(b.block_hash.as_bytes().as_slice())
        .bind(b.sealed.unix_millis())
        .execute(&mut *tx)
        .await
        .with_context(|| format!("inserting block {}", b.height))?;
        if !tile_roots.is_empty() {
            sqlx::query("INSERT INTO block_tiles (height, roots) VALUES ($1, $2)")
                .bind(big(b.height))
                .bind(encode_roots(tile_roots))
                .execute(&mut *tx)
                .await
                .with_context(|| format!("inserting the tile roots of block {}", b.height))?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn block_tiles(&self, height: u64) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar("SELECT roots FROM block_tiles WHERE height = $1")
            .bind(big(height))
            .fetch_optional(self.pool())
            .await?)
    }

    async fn oldest_unanchored_sealed(&self) -> anyhow::Result<Option<Timestamp>> {
        let ms: Option<i64> =
            sqlx::query_scalar("SELECT sealed_ms FROM blocks WHERE anchored_ms IS NULL ORDER BY height LIMIT 1")
                .fetch_optional(self.pool())
                .await?;
        Ok(ms.and_then(Timestamp::from_unix_millis))
    }

    async fn oldest_unanchored(&self) -> anyhow::Result<Option<u64>> {
        let h: Option<i64> = sqlx::query_scalar("SELECT min(height) FROM blocks WHERE anchored_ms IS NULL")
            .fetch_one(self.pool())
            .await?;
        Ok(h.map(|h| h as u64))
    }

    async fn unanchored_cosigners(&self) -> anyhow::Result<Vec<CosignFact>> {
        let rows = sqlx::query(
            "SELECT c.height, c.witness, c.role FROM cosignatures c JOIN blocks b ON b.height = c.height \
             WHERE b.anchored_ms IS NULL \
               AND c.height >= (SELECT min(height) FROM blocks WHERE anchored_ms IS NULL) \
             ORDER BY c.height",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CosignFact {
                    height: codec::uint(r, "height")?,
                    witness: codec::text(r, "witness")?,
                    role: codec::word(r, "role")?,
                })
            })
            .collect()
    }

    async fn mark_anchored(&self, heights: &[u64], at: Timestamp) -> anyhow::Result<u64> {
        let done = sqlx::query("UPDATE blocks SET anchored_ms = $1 WHERE anchored_ms IS NULL AND height = ANY($2)")
            .bind(at.unix_millis())
            .bind(bigs(heights))
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    async fn last_cosigned(&self, witness: &WitnessName) -> anyhow::Result<Option<u64>> {
        let h: Option<i64> = sqlx::query_scalar("SELECT max(height) FROM cosignatures WHERE witness = $1")
            .bind(witness.as_str())
            .fetch_one(self.pool())
            .await?;
        Ok(h.map(|h| h as u64))
    }

    async fn latest_cosignatures(&self, witnesses: &[WitnessName]) -> anyhow::Result<Vec<CosignatureRow>> {
        if witnesses.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT c.height, c.witness, c.role, c.cms, c.signed_ms FROM unnest($1::text[]) AS w(name) \
             JOIN cosignatures c ON c.witness = w.name \
               AND c.height = (SELECT max(height) FROM cosignatures WHERE witness = w.name) \
             ORDER BY c.witness",
        )
        .bind(witnesses.iter().map(WitnessName::as_str).collect::<Vec<_>>())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(cosignature_from_row).collect()
    }

    /// One statement of bound arrays, ignoring co-signatures already stored.
    async fn insert_cosignatures(&self, rows: &[CosignatureRow]) -> anyhow::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO cosignatures ({COSIGNATURE_COLUMNS}) \
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[], $5::bigint[]) \
             ON CONFLICT (height, witness) DO NOTHING"
        )))
        .bind(rows.iter().map(|c| big(c.height)).collect::<Vec<_>>())
        .bind(rows.iter().map(|c| c.witness.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|c| codec::stored(c.role)).collect::<Vec<_>>())
        .bind(rows.iter().map(|c| c.cms.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|c| c.signed.unix_millis()).collect::<Vec<_>>())
        .execute(self.pool())
        .await
        .context("inserting co-signatures")?;
        Ok(())
    }

    async fn cosignatures(&self, height: u64) -> anyhow::Result<Vec<CosignatureRow>> {
        let sql = format!("SELECT {COSIGNATURE_COLUMNS} FROM cosignatures WHERE height = $1 ORDER BY witness");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(big(height)).fetch_all(self.pool()).await?;
        rows.iter().map(cosignature_from_row).collect()
    }

    async fn cosignatures_of(&self, heights: &[u64]) -> anyhow::Result<Vec<Vec<CosignatureRow>>> {
        let sql =
            format!("SELECT {COSIGNATURE_COLUMNS} FROM cosignatures WHERE height = ANY($1) ORDER BY height, witness");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(bigs(heights)).fetch_all(self.pool()).await?;
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

pub(super) fn cosignature_from_row(r: &PgRow) -> anyhow::Result<CosignatureRow> {
    Ok(CosignatureRow {
        height: codec::uint(r, "height")?,
        witness: codec::text(r, "witness")?,
        role: codec::word(r, "role")?,
        cms: codec::get(r, "cms")?,
        signed: codec::time(r, "signed_ms")?,
    })
}

pub(super) fn block_from_row(r: &PgRow) -> anyhow::Result<BlockRow> {
    Ok(BlockRow {
        height: codec::uint(r, "height")?,
        first_seq: codec::uint(r, "first_seq")?,
        leaf_count: codec::uint(r, "leaf_count")?,
        header: codec::get(r, "header")?,
        block_hash: codec::hash(r, "block_hash")?,
        sealed: codec::time(r, "sealed_ms")?,
        anchored: codec::maybe_time(r, "anchored_ms")?,
    })
}
