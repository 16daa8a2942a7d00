//! Sealed blocks and their co-signatures, on any SQL backend.

use anyhow::Context;
use async_trait::async_trait;

use super::{Sql, args, number};
use crate::domain::merkle_tiles::encode_roots;
use crate::domain::{Hash, Timestamp, WitnessName};
use crate::store::blocks::{BlockRow, BlockStore, CosignFact, CosignatureRow};
use crate::store::columns::stored;
use crate::store::rows::{self, StoredRow};

/// The columns [`rows::block`] reads.
pub(crate) const BLOCK_COLUMNS: &str = "height, first_seq, leaf_count, header, block_hash, sealed_ms, anchored_ms";
/// The columns [`rows::cosignature`] reads.
const COSIGNATURE_COLUMNS: &str = "height, witness, role, cms, signed_ms";

#[async_trait]
impl<S: Sql> BlockStore for S {
    async fn latest_block(&self) -> anyhow::Result<Option<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks ORDER BY height DESC LIMIT 1");
        self.fetch_optional(&sql, args![]).await?.as_ref().map(rows::block).transpose()
    }

    async fn latest_anchored_block(&self) -> anyhow::Result<Option<BlockRow>> {
        let sql =
            format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE anchored_ms IS NOT NULL ORDER BY height DESC LIMIT 1");
        self.fetch_optional(&sql, args![]).await?.as_ref().map(rows::block).transpose()
    }

    async fn block(&self, height: u64) -> anyhow::Result<Option<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height = $1");
        self.fetch_optional(&sql, args![height]).await?.as_ref().map(rows::block).transpose()
    }

    /// The block whose range holds `seq`, if sealed.
    async fn block_containing(&self, seq: u64) -> anyhow::Result<Option<BlockRow>> {
        let sql = format!(
            "SELECT {BLOCK_COLUMNS} FROM blocks WHERE first_seq <= $1 AND leaf_count > 0 ORDER BY first_seq DESC LIMIT 1"
        );
        let row = self.fetch_optional(&sql, args![seq]).await?;
        Ok(row.as_ref().map(rows::block).transpose()?.filter(|b| seq < b.end_seq()))
    }

    /// The block holding each of `seqs` (`None` where not sealed yet), in the order given: one
    /// statement for a whole page of records, not one query per record.
    async fn blocks_containing(&self, seqs: &[u64]) -> anyhow::Result<Vec<Option<BlockRow>>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let columns = BLOCK_COLUMNS.split(", ").map(|c| format!("b.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT DISTINCT {columns} FROM {} s JOIN blocks b ON b.height = (
               SELECT height FROM blocks WHERE first_seq <= s.value AND leaf_count > 0
               ORDER BY first_seq DESC LIMIT 1)",
            self.list(1)
        );
        let rows = self.fetch_all(&sql, args![seqs]).await?;
        let blocks = rows.iter().map(rows::block).collect::<anyhow::Result<Vec<_>>>()?;
        Ok(seqs.iter().map(|&seq| blocks.iter().find(|b| b.first_seq <= seq && seq < b.end_seq()).cloned()).collect())
    }

    /// The newest blocks below `before` (all when `None`), newest first, at most `limit`.
    async fn blocks_before(&self, before: Option<u64>, limit: u32) -> anyhow::Result<Vec<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height < $1 ORDER BY height DESC LIMIT $2");
        let rows = self.fetch_all(&sql, args![before.unwrap_or(u64::MAX), limit]).await?;
        rows.iter().map(rows::block).collect()
    }

    /// Blocks from `height` on, oldest first, at most `limit`.
    async fn blocks_from(&self, height: u64, limit: u32) -> anyhow::Result<Vec<BlockRow>> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE height >= $1 ORDER BY height LIMIT $2");
        self.fetch_all(&sql, args![height, limit]).await?.iter().map(rows::block).collect()
    }

    /// Appends a sealed block with its tile roots ([`crate::domain::merkle_tiles`]), in one
    /// transaction. Refuses (primary key) a second block at one height, whichever node seals it.
    async fn insert_block(&self, b: &BlockRow, tile_roots: &[Hash]) -> anyhow::Result<()> {
        let block = "INSERT INTO blocks (height, first_seq, leaf_count, header, block_hash, sealed_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6)";
        let mut statements =
            vec![(block, args![b.height, b.first_seq, b.leaf_count, &b.header, b.block_hash.as_bytes(), b.sealed])];
        if !tile_roots.is_empty() {
            let tiles = "INSERT INTO block_tiles (height, roots) VALUES ($1, $2)";
            statements.push((tiles, args![b.height, encode_roots(tile_roots)]));
        }
        self.transaction(statements).await.with_context(|| format!("inserting block {}", b.height))?;
        Ok(())
    }

    /// The tile roots stored with block `height` as stored (decode with
    /// [`crate::domain::merkle_tiles::decode_roots`]); `None` for a block sealed before they were.
    async fn block_tiles(&self, height: u64) -> anyhow::Result<Option<Vec<u8>>> {
        let row = self.fetch_optional("SELECT roots FROM block_tiles WHERE height = $1", args![height]).await?;
        row.map(|r| r.bytes("roots")).transpose()
    }

    /// When the oldest block not yet anchored was sealed, if there is one.
    async fn oldest_unanchored_sealed(&self) -> anyhow::Result<Option<Timestamp>> {
        let sql = "SELECT sealed_ms FROM blocks WHERE anchored_ms IS NULL ORDER BY height LIMIT 1";
        self.fetch_optional(sql, args![]).await?.map(|r| r.time("sealed_ms")).transpose()
    }

    /// The lowest height not yet anchored, if any.
    async fn oldest_unanchored(&self) -> anyhow::Result<Option<u64>> {
        let sql = "SELECT min(height) AS n FROM blocks WHERE anchored_ms IS NULL";
        number(self, sql, args![]).await
    }

    async fn unanchored_cosigners(&self) -> anyhow::Result<Vec<CosignFact>> {
        let sql = "SELECT c.height, c.witness, c.role FROM cosignatures c JOIN blocks b ON b.height = c.height \
             WHERE b.anchored_ms IS NULL \
               AND c.height >= (SELECT min(height) FROM blocks WHERE anchored_ms IS NULL) \
             ORDER BY c.height";
        let rows = self.fetch_all(sql, args![]).await?;
        rows.iter()
            .map(|r| Ok(CosignFact { height: r.uint("height")?, witness: r.text("witness")?, role: r.word("role")? }))
            .collect()
    }

    async fn mark_anchored(&self, heights: &[u64], at: Timestamp) -> anyhow::Result<u64> {
        let sql =
            format!("UPDATE blocks SET anchored_ms = $1 WHERE anchored_ms IS NULL AND height IN {}", self.list(2));
        self.execute(&sql, args![at, heights]).await
    }

    /// The highest height `witness` has co-signed, if any.
    async fn last_cosigned(&self, witness: &WitnessName) -> anyhow::Result<Option<u64>> {
        number(self, "SELECT max(height) AS n FROM cosignatures WHERE witness = $1", args![witness.as_str()]).await
    }

    async fn latest_cosignatures(&self, witnesses: &[WitnessName]) -> anyhow::Result<Vec<CosignatureRow>> {
        if witnesses.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT c.height, c.witness, c.role, c.cms, c.signed_ms FROM {} w \
             JOIN cosignatures c ON c.witness = w.value \
               AND c.height = (SELECT max(height) FROM cosignatures WHERE witness = w.value) \
             ORDER BY c.witness",
            self.list(1)
        );
        let names: Vec<String> = witnesses.iter().map(|w| w.as_str().to_owned()).collect();
        self.fetch_all(&sql, args![names]).await?.iter().map(rows::cosignature).collect()
    }

    /// In one transaction, ignoring co-signatures already stored (a handful per block).
    async fn insert_cosignatures(&self, rows: &[CosignatureRow]) -> anyhow::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO cosignatures ({COSIGNATURE_COLUMNS}) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (height, witness) DO NOTHING"
        );
        let statements = rows
            .iter()
            .map(|c| (sql.as_str(), args![c.height, c.witness.as_str(), stored(c.role), c.cms.clone(), c.signed]))
            .collect();
        self.transaction(statements).await.context("inserting co-signatures")?;
        Ok(())
    }

    async fn cosignatures(&self, height: u64) -> anyhow::Result<Vec<CosignatureRow>> {
        let sql = format!("SELECT {COSIGNATURE_COLUMNS} FROM cosignatures WHERE height = $1 ORDER BY witness");
        self.fetch_all(&sql, args![height]).await?.iter().map(rows::cosignature).collect()
    }

    /// The co-signatures of each height, in the order given: one statement for a page.
    async fn cosignatures_of(&self, heights: &[u64]) -> anyhow::Result<Vec<Vec<CosignatureRow>>> {
        let sql = format!(
            "SELECT {COSIGNATURE_COLUMNS} FROM cosignatures WHERE height IN {} ORDER BY height, witness",
            self.list(1)
        );
        let rows = self.fetch_all(&sql, args![heights]).await?;
        let mut by_height: Vec<Vec<CosignatureRow>> = vec![Vec::new(); heights.len()];
        for row in &rows {
            let c = rows::cosignature(row)?;
            for (i, _) in heights.iter().enumerate().filter(|(_, h)| **h == c.height) {
                by_height[i].push(c.clone());
            }
        }
        Ok(by_height)
    }
}
