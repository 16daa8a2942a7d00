//! Sealed blocks and their co-signatures.

use anyhow::Context;
use async_trait::async_trait;

use crate::domain::quorum::QuorumPolicy;
use crate::domain::{BlockHeader, EvidenceStatus, Hash, Role, Timestamp, WitnessName};

/// One sealed block: evidence `seq` in `[first_seq, first_seq + leaf_count)`.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockRow {
    pub height: u64,
    pub first_seq: u64,
    pub leaf_count: u64,
    /// The exact header text the witnesses sign.
    pub header: String,
    pub block_hash: Hash,
    pub sealed: Timestamp,
    pub anchored: Option<Timestamp>,
}

/// A record's status from the block that holds it: `pending` (none yet), `sealed`, `anchored`.
pub fn record_status(block: Option<&BlockRow>) -> EvidenceStatus {
    EvidenceStatus::of_block(block.map(|b| b.anchored.is_some()))
}

impl BlockRow {
    /// The parsed header (stored text always parses; it was made by [`BlockHeader::text`]).
    pub fn parsed(&self) -> anyhow::Result<BlockHeader> {
        BlockHeader::parse(&self.header).with_context(|| format!("stored header at height {}", self.height))
    }

    /// The sequence number after the block's last record.
    pub fn end_seq(&self) -> u64 {
        self.first_seq + self.leaf_count
    }
}

/// One witness's co-signature of one block.
#[derive(Debug, Clone, PartialEq)]
pub struct CosignatureRow {
    pub height: u64,
    pub witness: WitnessName,
    pub role: Role,
    pub cms: Vec<u8>,
    pub signed: Timestamp,
}

/// That `witness`, of `role`, co-signed the block at `height` (what anchoring counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignFact {
    pub height: u64,
    pub witness: WitnessName,
    pub role: Role,
}

#[async_trait]
pub trait BlockStore: Send + Sync {
    async fn latest_block(&self) -> anyhow::Result<Option<BlockRow>>;

    async fn block(&self, height: u64) -> anyhow::Result<Option<BlockRow>>;

    /// The highest block co-signed to the quorum, if any.
    async fn latest_anchored_block(&self) -> anyhow::Result<Option<BlockRow>>;

    /// The block whose range holds `seq`, if sealed.
    async fn block_containing(&self, seq: u64) -> anyhow::Result<Option<BlockRow>>;

    /// The block holding each of `seqs` (`None` where not sealed yet), in the order given: one
    /// statement for a whole page of records, not one query per record.
    async fn blocks_containing(&self, seqs: &[u64]) -> anyhow::Result<Vec<Option<BlockRow>>>;

    /// The newest blocks below `before` (all when `None`), newest first, at most `limit`.
    async fn blocks_before(&self, before: Option<u64>, limit: u32) -> anyhow::Result<Vec<BlockRow>>;

    /// Blocks from `height` on, oldest first, at most `limit`.
    async fn blocks_from(&self, height: u64, limit: u32) -> anyhow::Result<Vec<BlockRow>>;

    /// Appends a sealed block with its tile roots ([`crate::domain::merkle_tiles`]), in one
    /// transaction. Refuses a second block at one height.
    async fn insert_block(&self, b: &BlockRow, tile_roots: &[Hash]) -> anyhow::Result<()>;

    /// The tile roots stored with block `height` as stored (decode with
    /// [`crate::domain::merkle_tiles::decode_roots`]); `None` for a block sealed before they were.
    async fn block_tiles(&self, height: u64) -> anyhow::Result<Option<Vec<u8>>>;

    /// When the oldest block not yet anchored was sealed, if there is one.
    async fn oldest_unanchored_sealed(&self) -> anyhow::Result<Option<Timestamp>>;

    /// The lowest height not yet anchored, if any.
    async fn oldest_unanchored(&self) -> anyhow::Result<Option<u64>>;

    /// Who co-signed each block not yet anchored (the facts; [`QuorumPolicy`] decides).
    async fn unanchored_cosigners(&self) -> anyhow::Result<Vec<CosignFact>>;

    /// Marks anchored at `at` those of `heights` not anchored yet; returns how many.
    async fn mark_anchored(&self, heights: &[u64], at: Timestamp) -> anyhow::Result<u64>;

    /// Marks anchored every unanchored block whose co-signatures meet `quorum`; returns how
    /// many. Each stored co-signature is from a different witness with its own key (the
    /// cosigners refuse a key shared between witnesses), so witnesses count as keys.
    async fn anchor_at_quorum(&self, quorum: &QuorumPolicy, at: Timestamp) -> anyhow::Result<u64> {
        let facts = self.unanchored_cosigners().await?;
        let heights = quorum.heights_met(facts.into_iter().map(|f| (f.height, f.witness, f.role)));
        if heights.is_empty() {
            return Ok(0);
        }
        self.mark_anchored(&heights, at).await
    }

    /// The highest height `witness` has co-signed, if any.
    async fn last_cosigned(&self, witness: &WitnessName) -> anyhow::Result<Option<u64>>;

    /// The latest co-signature of each of `witnesses` that has one (one statement for all).
    async fn latest_cosignatures(&self, witnesses: &[WitnessName]) -> anyhow::Result<Vec<CosignatureRow>>;

    /// Stores co-signatures (ignoring ones already stored).
    async fn insert_cosignatures(&self, rows: &[CosignatureRow]) -> anyhow::Result<()>;

    /// The co-signatures of the block at `height`, by witness name.
    async fn cosignatures(&self, height: u64) -> anyhow::Result<Vec<CosignatureRow>>;

    /// The co-signatures of each of `heights`, in the order given, each by witness name: one
    /// statement for a page of blocks.
    async fn cosignatures_of(&self, heights: &[u64]) -> anyhow::Result<Vec<Vec<CosignatureRow>>>;
}
