//! The sealer: pending records → Merkle tree → block header chained to the previous one.
//!
//! It runs every `interval` and as soon as `max_batch` records are pending. A block covers a
//! contiguous range of sequence numbers, so nothing is sealed twice or skipped across restarts:
//! the next block always starts where the latest stored block ends. It starts one
//! [`Cosigner`] per witness and tells them of every new block.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};
use tokio::time::{MissedTickBehavior, interval};

use super::cosigner::{Cosigner, KeyOwners, stored_key_owners};
use super::status::{SharedStatus, WitnessStatus};
use crate::crypto::TrustStore;
use crate::domain::merkle_tiles::{TILE_LEAVES, root_from_tiles, tile_roots};
use crate::domain::verify::QuorumPolicy;
use crate::domain::{BlockHeader, Hash, LogName, Timestamp};
use crate::metrics::Metrics;
use crate::seal::Backoff;
use crate::store::{BlockRow, Store};
use crate::witness::client::WitnessClient;

/// How the sealer seals.
#[derive(Debug, Clone)]
pub struct SealerConfig {
    pub log: LogName,
    pub interval: Duration,
    pub max_batch: u64,
    pub max_skew: Duration,
    /// Which co-signatures anchor a block.
    pub quorum: QuorumPolicy,
    /// The longest wait between retries of a witness that is down or refuses (the first
    /// retry comes after `interval`).
    pub retry_max: Duration,
    /// How long a graceful shutdown waits for the witnesses.
    pub shutdown_grace: Duration,
}

pub struct Sealer {
    pub store: Store,
    pub config: SealerConfig,
    pub witnesses: Vec<WitnessClient>,
    pub trust: TrustStore,
    /// Notified by the writer after each commit.
    pub written: Arc<Notify>,
    /// Bumped whenever blocks get anchored.
    pub anchored: watch::Sender<u64>,
    pub status: SharedStatus,
    pub metrics: Arc<Metrics>,
}

enum Wake {
    Tick,
    Written,
    Stop,
}

impl Sealer {
    /// Runs until `shutdown` turns true; then seals what is pending and waits (up to
    /// `shutdown_grace`) for the witnesses to co-sign it.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let (sealed_tx, sealed_rx) = watch::channel(());
        let (drain_tx, drain_rx) = watch::channel(None);
        let cosigners = self.start_cosigners(&sealed_rx, &drain_rx).await;
        let mut tick = interval(self.config.interval);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            let wake = tokio::select! {
                _ = tick.tick() => Wake::Tick,
                _ = self.written.notified() => Wake::Written,
                _ = shutdown.changed() => Wake::Stop,
            };
            let stopping = matches!(wake, Wake::Stop) || *shutdown.borrow();
            // While stopping, everything pending is sealed, not only full blocks.
            if let Err(e) = self.round(matches!(wake, Wake::Written) && !stopping, &sealed_tx).await {
                tracing::error!("sealing round failed: {e:#}");
            }
            // A long round is no sign of a stuck sealer: its end counts as much as its start.
            self.status.lock().expect("status lock").last_round = Some(Instant::now());
            if stopping {
                break;
            }
        }
        // After a fork no witness will co-sign what is pending: no wait for it.
        let forked = self.status.lock().expect("status lock").fork.is_some();
        let grace = if forked { Duration::ZERO } else { self.config.shutdown_grace };
        drain_tx.send_replace(Some(Instant::now() + grace));
        for c in cosigners {
            let _ = c.await;
        }
        if !matches!(self.store.oldest_unanchored().await, Ok(None)) {
            tracing::warn!("stopping with blocks not yet anchored; they will be co-signed after restart");
        }
    }

    async fn start_cosigners(
        &self,
        sealed: &watch::Receiver<()>,
        drain: &watch::Receiver<Option<Instant>>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        self.status.lock().expect("status lock").witnesses = self
            .witnesses
            .iter()
            .map(|w| WitnessStatus { name: w.name().to_string(), role: w.role().to_string(), ..Default::default() })
            .collect();
        let keys = stored_key_owners(&self.store, &self.witnesses).await.unwrap_or_else(|e| {
            tracing::error!("reading the witnesses' stored keys: {e:#}");
            KeyOwners::default()
        });
        self.witnesses
            .iter()
            .enumerate()
            .map(|(index, witness)| {
                let cosigner = Cosigner {
                    store: self.store.clone(),
                    witness: witness.clone(),
                    index,
                    trust: self.trust.clone(),
                    keys: keys.clone(),
                    quorum: self.config.quorum,
                    backoff: Backoff::new(self.config.interval, self.config.retry_max),
                    anchored: self.anchored.clone(),
                    status: self.status.clone(),
                    metrics: self.metrics.clone(),
                };
                tokio::spawn(cosigner.run(sealed.clone(), drain.clone()))
            })
            .collect()
    }

    /// One round: seal the records pending when it starts (with `full_only`, only full
    /// blocks of them), then a heartbeat if needed. The cosigners hear of each block as soon as
    /// it is stored. Records that arrive meanwhile wait for the next round: under a steady load
    /// a round that sealed until nothing was pending made many small blocks and never ended, so
    /// the cosigners heard of none of them until the load stopped.
    async fn round(&self, full_only: bool, sealed: &watch::Sender<()>) -> anyhow::Result<()> {
        self.status.lock().expect("status lock").last_round = Some(Instant::now());
        let end_seq = self.store.max_seq().await?.map_or(0, |m| m + 1);
        while self.seal_pending(end_seq, full_only).await? {
            sealed.send_replace(());
        }
        if !full_only && self.heartbeat().await? {
            sealed.send_replace(());
        }
        Ok(())
    }

    /// Seals one block of the records pending below `end_seq`; `false` when there was nothing
    /// (or, with `full_only`, less than a full block) to seal.
    async fn seal_pending(&self, end_seq: u64, full_only: bool) -> anyhow::Result<bool> {
        let latest = self.store.latest_block().await?;
        let next_seq = latest.as_ref().map_or(0, BlockRow::end_seq);
        let pending = end_seq.saturating_sub(next_seq);
        if pending == 0 || (full_only && pending < self.config.max_batch) {
            return Ok(false);
        }
        let count = pending.min(self.config.max_batch);
        let leaves = self.store.leaf_hashes(next_seq, count).await?;
        anyhow::ensure!(leaves.len() as u64 == count, "records {next_seq}.. are not contiguous");
        self.seal(latest.as_ref(), next_seq, &leaves).await?;
        Ok(true)
    }

    /// While blocks wait for a witness and the newest header is older than `max_skew / 2`,
    /// seals an empty block so that a returning witness finds a fresh header.
    async fn heartbeat(&self) -> anyhow::Result<bool> {
        let Some(latest) = self.store.latest_block().await? else { return Ok(false) };
        let waiting = self.store.oldest_unanchored().await?.is_some();
        let age = Timestamp::now().unix_millis() - latest.sealed.unix_millis();
        if waiting && age > (self.config.max_skew / 2).as_millis() as i64 {
            self.seal(Some(&latest), latest.end_seq(), &[]).await?;
            return Ok(true);
        }
        Ok(false)
    }

    async fn seal(&self, latest: Option<&BlockRow>, first_seq: u64, leaves: &[Hash]) -> anyhow::Result<()> {
        let started = Instant::now();
        let now = Timestamp::now();
        let tiles = tile_roots(leaves, TILE_LEAVES);
        let header = BlockHeader {
            log: self.config.log.clone(),
            height: latest.map_or(0, |b| b.height + 1),
            prev: latest.map_or(Hash::ZERO, |b| b.block_hash),
            root: root_from_tiles(&tiles),
            leaves: leaves.len() as u64,
            sealed: latest.map_or(now, |b| b.sealed.max(now)),
        };
        self.store
            .insert_block(
                &BlockRow {
                    height: header.height,
                    first_seq,
                    leaf_count: header.leaves,
                    header: header.text(),
                    block_hash: header.block_hash(),
                    sealed: header.sealed,
                    anchored: None,
                },
                &tiles,
            )
            .await?;
        self.metrics.seal_seconds.observe(started.elapsed().as_secs_f64());
        self.metrics.block_leaves.observe(header.leaves as f64);
        tracing::debug!(height = header.height, leaves = header.leaves, "sealed in {:?}", started.elapsed());
        Ok(())
    }
}
