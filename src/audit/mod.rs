//! The audit: recomputes every leaf hash, Merkle root, block hash and co-signature from the
//! database and names the first inconsistency (`notarium audit`, and the scheduled run of the
//! server, which audits only what was anchored since its last run). The full audit then checks
//! every invoice's ledger columns against its active claims.
//!
//! Blocks are read in height order, a page at a time (with the page's co-signatures and tile
//! roots), and each block's records a page at a time, so memory holds one page of records plus
//! one block's leaf hashes (32 bytes each). The
//! reads go through [`Store`]; the checks ([`checks`]) are pure and run on the blocking pool,
//! so a long audit never stalls the async runtime the sealer and the handlers share.

mod checks;
mod inconsistency;
pub mod schedule;
#[cfg(test)]
mod tests;
mod witnesses;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;

pub use checks::ChainTip;
pub use inconsistency::{Inconsistency, Table};

use crate::crypto::TrustStore;
use crate::domain::quorum::QuorumPolicy;
use crate::store::{AuditRow, BlockRow, CosignatureRow, Database, Store};

/// Blocks read per query.
const BLOCKS_PER_PAGE: u32 = 256;
/// Records read per query (a block of `max_batch` records is read in several pages).
const RECORDS_PER_PAGE: u64 = 10_000;

/// What an audit checked and found consistent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Records whose leaf hash (and metadata hash) was rebuilt, in consistent blocks.
    pub records: u64,
    /// Consistent blocks.
    pub blocks: u64,
    /// Co-signatures verified.
    pub cosignatures: u64,
    /// The first height found consistent.
    pub first_height: Option<u64>,
    /// The last height found consistent.
    pub last_height: Option<u64>,
    /// Wall-clock time of the audit, in milliseconds.
    pub elapsed_ms: u64,
}

/// The result of an audit that could read the database.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub summary: Summary,
    /// The last block found consistent (the one the audit started after, when none was).
    pub tip: Option<ChainTip>,
    /// The first inconsistency, if any: the audit stops there.
    pub inconsistency: Option<Inconsistency>,
}

/// What co-signatures are checked against: the trust anchors, and the quorum policy every
/// anchored block must still meet.
pub struct Rules {
    pub trust: TrustStore,
    pub quorum: QuorumPolicy,
}

/// `notarium audit`: every block of `database`, opened read-only, against the trust anchors of
/// `data/pki/trust/`. Fails (unusable, exit 2) when there is no database, no
/// trust anchor, or the database cannot be read.
pub async fn audit_data_dir(data: &Path, database: &Database, quorum: QuorumPolicy) -> anyhow::Result<Outcome> {
    audit_data_dir_against(data, database, quorum, &[]).await
}

/// [`audit_data_dir`], then, when the database is consistent, against what each witness at
/// `witness_urls` last co-signed ([`witnesses`]: a rollback or a fork is the inconsistency).
/// The witnesses are asked first, so that a block they co-sign while the audit runs is already
/// in the database it reads. A witness that cannot be asked fails the audit (unusable).
pub async fn audit_data_dir_against(
    data: &Path,
    database: &Database,
    quorum: QuorumPolicy,
    witness_urls: &[String],
) -> anyhow::Result<Outcome> {
    let heads = witnesses::fetch_heads(witness_urls).await?;
    let store = Store::connect_read_only(database).await?;
    let dir = data.join("pki").join("trust");
    let trust = TrustStore::from_dir(&dir)?;
    if trust.is_empty() {
        bail!("no trust anchor: {} holds no *.pem certificate, so co-signatures cannot be checked", dir.display());
    }
    let outcome = match store.max_height().await? {
        Some(through) => audit(&store, Arc::new(Rules { trust, quorum }), None, through).await,
        None => Ok(Outcome { summary: Summary::default(), tip: None, inconsistency: None }),
    };
    let outcome = match outcome {
        Ok(mut outcome) if outcome.inconsistency.is_none() => {
            let started = Instant::now();
            let ledgers = audit_invoice_ledgers(&store).await;
            outcome.summary.elapsed_ms += started.elapsed().as_millis() as u64;
            ledgers.map(|found| Outcome { inconsistency: found, ..outcome })
        }
        other => other,
    };
    let outcome = match outcome {
        Ok(outcome) if outcome.inconsistency.is_none() && !heads.is_empty() => {
            witnesses::compare(&store, &heads).await.map(|found| Outcome { inconsistency: found, ..outcome })
        }
        other => other,
    };
    store.close().await;
    outcome
}

/// Every invoice's `claimed_cents` and `active_claims` against its active claims (the full
/// audit's last check: the scheduled audit reads only new blocks). The first invoice that
/// disagrees, if any.
async fn audit_invoice_ledgers(store: &Store) -> anyhow::Result<Option<Inconsistency>> {
    let found = store.invoice_ledger_mismatches(1).await?.into_iter().next();
    Ok(found.map(|m| Inconsistency::InvoiceLedger {
        invoice: format!("{}/{}/{}", m.issuer, m.invoice_code, m.invoice_number),
        claimed_cents: m.claimed_cents,
        active_claims: m.active_claims,
    }))
}

/// Audits the blocks after `from` (from the genesis block when `None`) through height
/// `through`, stopping at the first inconsistency. Fails only when the database cannot be read.
pub async fn audit(store: &Store, rules: Arc<Rules>, from: Option<ChainTip>, through: u64) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let mut outcome = Outcome { summary: Summary::default(), tip: from, inconsistency: None };
    let next_height = |tip: &Option<ChainTip>| tip.as_ref().map_or(0, |t| t.height + 1);
    'pages: while next_height(&outcome.tip) <= through {
        let expected = next_height(&outcome.tip);
        let page = store.blocks_for_audit(expected, through, BLOCKS_PER_PAGE).await?;
        let (Some(&(low, _)), Some(&(high, _))) = (page.first(), page.last()) else {
            outcome.inconsistency = Some(Inconsistency::MissingBlock { expected, found: None });
            break;
        };
        // The page's co-signatures and tile roots in one statement each, not one per block.
        let mut cosignatures: BTreeMap<u64, Vec<AuditRow<String, CosignatureRow>>> = BTreeMap::new();
        for (height, row) in store.cosignatures_for_audit(low, high).await? {
            cosignatures.entry(height).or_default().push(row);
        }
        let mut tiles: BTreeMap<u64, Vec<u8>> = store.tiles_for_audit(low, high).await?.into_iter().collect();
        for (height, row) in page {
            let expected = next_height(&outcome.tip);
            let checked = if height != expected {
                Err(Inconsistency::MissingBlock { expected, found: Some(height) })
            } else {
                match row {
                    Ok(block) => {
                        let stored = (cosignatures.remove(&height).unwrap_or_default(), tiles.remove(&height));
                        audit_block(store, &rules, outcome.tip.as_ref(), block, stored).await?
                    }
                    Err(e) => Err(Inconsistency::Unreadable {
                        table: Table::Blocks,
                        row: format!("height {height}"),
                        reason: format!("{e:#}"),
                    }),
                }
            };
            match checked {
                Ok((tip, records, cosignatures)) => {
                    let s = &mut outcome.summary;
                    s.records += records;
                    s.cosignatures += cosignatures;
                    s.blocks += 1;
                    s.first_height.get_or_insert(tip.height);
                    s.last_height = Some(tip.height);
                    outcome.tip = Some(tip);
                }
                Err(found) => {
                    outcome.inconsistency = Some(found);
                    break 'pages;
                }
            }
        }
    }
    outcome.summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(outcome)
}

/// What a consistent block adds: the new tip, its records and co-signatures.
type Checked = (ChainTip, u64, u64);

/// A block's co-signatures and stored tile roots, read with its page.
type Stored = (Vec<AuditRow<String, CosignatureRow>>, Option<Vec<u8>>);

/// Reads one block's records and runs the checks of [`checks`] in order.
async fn audit_block(
    store: &Store,
    rules: &Arc<Rules>,
    tip: Option<&ChainTip>,
    block: BlockRow,
    (cosignatures, tiles): Stored,
) -> anyhow::Result<Result<Checked, Inconsistency>> {
    let header = match checks::check_header(tip, &block) {
        Ok(header) => header,
        Err(found) => return Ok(Err(found)),
    };
    let mut scan = checks::LeafScan::new(&block);
    while scan.next_seq() < block.end_seq() {
        let from = scan.next_seq();
        let rows = store.evidence_for_audit(from, RECORDS_PER_PAGE.min(block.end_seq() - from)).await?;
        let stalled = rows.is_empty();
        let checked;
        (scan, checked) = blocking(move || {
            let checked = scan.add(rows);
            (scan, checked)
        })
        .await?;
        if let Err(found) = checked {
            return Ok(Err(found));
        }
        if stalled {
            break; // `finish` names the first missing record
        }
    }
    let rules = rules.clone();
    blocking(move || {
        scan.finish()?;
        checks::check_leaves(&scan, &header, &block)?;
        checks::check_tiles(&scan, &block, tiles.as_deref())?;
        checks::check_block_hash(&block)?;
        let count = cosignatures.len() as u64;
        let mut signers = Vec::new();
        for row in cosignatures {
            signers.extend(checks::check_cosignature(&rules.trust, &block, row)?);
        }
        checks::check_quorum(&block, &rules.quorum, signers)?;
        Ok((ChainTip::after(&block, &header), block.leaf_count, count))
    })
    .await
}

/// Runs CPU-bound checks on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(f).await.context("an audit check panicked")
}
