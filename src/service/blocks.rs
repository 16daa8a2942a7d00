//! Sealed blocks as anyone may see them: header, hash, and who co-signed when.

use crate::crypto::cms::inspect;
use crate::domain::{Role, Timestamp, WitnessName};
use crate::store::{BlockRow, Store};

/// A block with its co-signatures.
#[derive(Debug, Clone)]
pub struct BlockFacts {
    pub block: BlockRow,
    pub cosignatures: Vec<Signed>,
}

/// One witness's co-signature of a block.
#[derive(Debug, Clone)]
pub struct Signed {
    pub witness: WitnessName,
    pub role: Role,
    /// The CMS signing time, when the signature carries one.
    pub signing_time: Option<Timestamp>,
    /// CMS SignedData (DER).
    pub cms: Vec<u8>,
}

/// Which block.
#[derive(Debug, Clone, Copy)]
pub enum BlockAt {
    Latest,
    Height(u64),
}

/// Why there is no such block.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// No block at this height (or none sealed yet, for the latest).
    #[error("no such block")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// One block with its co-signatures.
pub async fn block(store: &Store, at: BlockAt) -> Result<BlockFacts, BlockError> {
    let row = match at {
        BlockAt::Latest => store.latest_block().await?,
        BlockAt::Height(height) => store.block(height).await?,
    };
    let row = row.ok_or(BlockError::NotFound)?;
    Ok(with_cosignatures(store, vec![row]).await?.pop().expect("one block in, one out"))
}

/// The most headers [`headers_from`] gives in one page.
pub const MAX_HEADERS_PER_PAGE: u32 = 1000;

/// One page of headers, oldest first, for a verifier walking the chain.
#[derive(Debug, Clone)]
pub struct HeaderPage {
    pub blocks: Vec<BlockRow>,
    /// The `from` of the next page; `None` when this page ends at the newest block.
    pub next: Option<u64>,
    /// The newest anchored block, with its co-signatures: where a verifier's walk ends. `None`
    /// while no block is anchored.
    pub anchored_head: Option<BlockFacts>,
}

/// Up to `limit` (1 to [`MAX_HEADERS_PER_PAGE`]) blocks from height `from` on, oldest first, and
/// the anchored head.
pub async fn headers_from(store: &Store, from: u64, limit: u32) -> anyhow::Result<HeaderPage> {
    let limit = limit.clamp(1, MAX_HEADERS_PER_PAGE);
    let blocks = store.blocks_from(from, limit).await?;
    let next = (blocks.len() == limit as usize).then(|| blocks.last().and_then(|b| b.height.checked_add(1))).flatten();
    let anchored_head = match store.latest_anchored_block().await? {
        Some(row) => with_cosignatures(store, vec![row]).await?.pop(),
        None => None,
    };
    Ok(HeaderPage { blocks, next, anchored_head })
}

/// The newest blocks below `before` (all when `None`), newest first, at most `limit`, and the
/// `before` of the next page when there are older ones.
pub async fn page(store: &Store, before: Option<u64>, limit: u32) -> anyhow::Result<(Vec<BlockFacts>, Option<u64>)> {
    let rows = store.blocks_before(before, limit).await?;
    let older = (rows.len() == limit as usize).then(|| rows.last().map(|b| b.height)).flatten().filter(|h| *h > 0);
    Ok((with_cosignatures(store, rows).await?, older))
}

/// The blocks with their co-signatures, in the order given.
pub async fn with_cosignatures(store: &Store, blocks: Vec<BlockRow>) -> anyhow::Result<Vec<BlockFacts>> {
    let heights: Vec<u64> = blocks.iter().map(|b| b.height).collect();
    let mut cosignatures = store.cosignatures_of(&heights).await?;
    Ok(blocks
        .into_iter()
        .zip(cosignatures.iter_mut())
        .map(|(block, rows)| BlockFacts {
            block,
            cosignatures: rows
                .drain(..)
                .map(|c| Signed {
                    signing_time: inspect(&c.cms).ok().and_then(|f| f.signing_time),
                    witness: c.witness,
                    role: c.role,
                    cms: c.cms,
                })
                .collect(),
        })
        .collect())
}
