//! The sealer: pending records → Merkle tree → block header chained to the previous one →
//! co-signatures from every witness → anchored at the quorum.
//!
//! It runs every `interval` and as soon as `max_batch` records are pending. A block covers a
//! contiguous range of sequence numbers, so nothing is sealed twice or skipped across restarts:
//! the next block always starts where the latest stored block ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use tokio::sync::{Notify, watch};
use tokio::time::{MissedTickBehavior, interval};

use crate::crypto::{OpensslChecker, TrustStore};
use crate::domain::merkle::MerkleTree;
use crate::domain::verify::CosignatureChecker;
use crate::domain::{BlockHeader, Cosignature, Hash, LogName, Timestamp, WitnessName};
use crate::receipts::chain_of;
use crate::store::{BlockRow, CosignatureRow, Store};
use crate::witness::client::{CosignError, WitnessClient};
use crate::witness::protocol::MAX_HEADERS_PER_REQUEST;

/// How the sealer seals.
#[derive(Debug, Clone)]
pub struct SealerConfig {
    pub log: LogName,
    pub interval: Duration,
    pub max_batch: u64,
    pub max_skew: Duration,
    /// Co-signatures needed per role for a block to be anchored.
    pub court_quorum: u32,
    pub notary_quorum: u32,
    /// How long a graceful shutdown waits for the witnesses.
    pub shutdown_grace: Duration,
}

/// What `/readyz` and `/v1/witnesses` show of the sealer and each witness.
#[derive(Debug, Default)]
pub struct SealerStatus {
    pub last_round: Option<Instant>,
    pub fork: Option<String>,
    pub witnesses: Vec<WitnessStatus>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct WitnessStatus {
    pub name: String,
    pub role: String,
    pub reachable: Option<bool>,
    pub last_height: Option<u64>,
    pub last_contact: Option<Timestamp>,
    pub last_refusal: Option<String>,
    pub refusals: u64,
    /// The last failure of any kind (logged once per change); cleared on success.
    pub last_error: Option<String>,
}

pub type SharedStatus = Arc<Mutex<SealerStatus>>;

pub struct Sealer {
    pub store: Store,
    pub config: SealerConfig,
    pub witnesses: Vec<WitnessClient>,
    /// Co-signatures are checked against these anchors before they count, exactly as a
    /// court's verifier will check them.
    pub trust: TrustStore,
    /// Which witness each signing key belongs to: two witnesses may never share a key.
    pub keys: Mutex<HashMap<[u8; 32], WitnessName>>,
    /// Notified by the writer after each commit.
    pub written: Arc<Notify>,
    /// Bumped whenever blocks get anchored.
    pub anchored: watch::Sender<u64>,
    pub status: SharedStatus,
}

enum Wake {
    Tick,
    Written,
    Stop,
}

impl Sealer {
    /// Runs until `shutdown` turns true; then seals what is pending and waits (up to
    /// `shutdown_grace`) for the witnesses to anchor it.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        {
            let mut status = self.status.lock().expect("status lock");
            status.witnesses = self
                .witnesses
                .iter()
                .map(|w| WitnessStatus { name: w.name().to_string(), role: w.role().to_string(), ..Default::default() })
                .collect();
        }
        let mut tick = interval(self.config.interval);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            let wake = tokio::select! {
                _ = tick.tick() => Wake::Tick,
                _ = self.written.notified() => Wake::Written,
                _ = shutdown.changed() => Wake::Stop,
            };
            let full_only = matches!(wake, Wake::Written);
            if let Err(e) = self.round(full_only).await {
                tracing::error!("sealing round failed: {e:#}");
            }
            if matches!(wake, Wake::Stop) || *shutdown.borrow() {
                self.finish().await;
                return;
            }
        }
    }

    /// One round: seal, heartbeat, co-sign, anchor.
    async fn round(&self, full_only: bool) -> anyhow::Result<()> {
        self.status.lock().expect("status lock").last_round = Some(Instant::now());
        while self.seal_pending(full_only).await? {}
        if full_only {
            return Ok(());
        }
        self.heartbeat().await?;
        join_all(self.witnesses.iter().map(|w| self.cosign_with(w))).await;
        self.anchor().await
    }

    async fn finish(&self) {
        let deadline = Instant::now() + self.config.shutdown_grace;
        loop {
            if let Err(e) = self.round(false).await {
                tracing::error!("final sealing round failed: {e:#}");
            }
            let done = matches!(self.store.oldest_unanchored().await, Ok(None));
            if done || Instant::now() >= deadline {
                if !done {
                    tracing::warn!("stopping with blocks not yet anchored; they will be co-signed after restart");
                }
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Seals one block of pending records; `false` when there was nothing (or, with
    /// `full_only`, less than a full batch) to seal.
    async fn seal_pending(&self, full_only: bool) -> anyhow::Result<bool> {
        let latest = self.store.latest_block().await?;
        let next_seq = latest.as_ref().map_or(0, BlockRow::end_seq);
        let pending = self.store.max_seq().await?.map_or(0, |m| (m + 1).saturating_sub(next_seq));
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
    async fn heartbeat(&self) -> anyhow::Result<()> {
        let Some(latest) = self.store.latest_block().await? else { return Ok(()) };
        let waiting = self.store.oldest_unanchored().await?.is_some();
        let age = Timestamp::now().unix_millis() - latest.sealed.unix_millis();
        if waiting && age > (self.config.max_skew / 2).as_millis() as i64 {
            self.seal(Some(&latest), latest.end_seq(), &[]).await?;
        }
        Ok(())
    }

    async fn seal(&self, latest: Option<&BlockRow>, first_seq: u64, leaves: &[Hash]) -> anyhow::Result<()> {
        let now = Timestamp::now();
        let header = BlockHeader {
            log: self.config.log.clone(),
            height: latest.map_or(0, |b| b.height + 1),
            prev: latest.map_or(Hash::ZERO, |b| b.block_hash),
            root: MerkleTree::from_leaves(leaves).root(),
            leaves: leaves.len() as u64,
            sealed: latest.map_or(now, |b| b.sealed.max(now)),
        };
        let started = Instant::now();
        self.store
            .insert_block(&BlockRow {
                height: header.height,
                first_seq,
                leaf_count: header.leaves,
                header: header.text(),
                block_hash: header.block_hash(),
                sealed: header.sealed,
                anchored: None,
            })
            .await?;
        tracing::debug!(height = header.height, leaves = header.leaves, "sealed in {:?}", started.elapsed());
        Ok(())
    }

    /// Sends `witness` every header it has not co-signed, 1,000 at a time, and stores what
    /// it signs. A witness that is down or refuses never stops sealing.
    async fn cosign_with(&self, witness: &WitnessClient) {
        let result = self.cosign_backlog(witness).await;
        let mut status = self.status.lock().expect("status lock");
        let Some(s) = status.witnesses.iter_mut().find(|s| s.name == witness.name().as_str()) else { return };
        match result {
            Ok(last) => {
                if s.last_error.take().is_some() {
                    tracing::info!(witness = %witness.name(), "co-signing again");
                }
                s.reachable = Some(true);
                s.last_contact = Some(Timestamp::now());
                s.last_height = last.or(s.last_height);
            }
            Err(e) => {
                s.reachable = Some(!matches!(e, CosignError::Unreachable(_)));
                if let CosignError::Refused { code, detail, .. } = &e {
                    s.refusals += 1;
                    s.last_refusal = Some(format!("{code}: {detail}"));
                    if code == "fork" {
                        tracing::error!(witness = %witness.name(), "witness reports a fork: {detail}");
                        status.fork = Some(format!("witness {} refused with fork: {detail}", witness.name()));
                        return;
                    }
                }
                let message = e.to_string();
                if s.last_error.as_deref() != Some(message.as_str()) {
                    tracing::warn!(witness = %witness.name(), "co-signing failed: {message}");
                    s.last_error = Some(message);
                }
            }
        }
    }

    async fn cosign_backlog(&self, witness: &WitnessClient) -> Result<Option<u64>, CosignError> {
        let store_err = |e: anyhow::Error| CosignError::Protocol(format!("local store: {e:#}"));
        let mut last = self.store.last_cosigned(witness.name()).await.map_err(store_err)?;
        loop {
            let from = last.map_or(0, |h| h + 1);
            let blocks = self.store.blocks_from(from, MAX_HEADERS_PER_REQUEST as u32).await.map_err(store_err)?;
            if blocks.is_empty() {
                return Ok(last);
            }
            let headers: Vec<String> = blocks.iter().map(|b| b.header.clone()).collect();
            let signed = witness.cosign(&headers).await?;
            if signed.is_empty() {
                return Ok(last);
            }
            for s in &signed {
                let header = blocks.iter().find(|b| b.height == s.height).map(|b| b.header.as_str());
                let header = header
                    .ok_or_else(|| CosignError::Protocol(format!("a co-signature for unsent height {}", s.height)))?;
                self.check_cosignature(witness, header, &s.cms)?;
            }
            let now = Timestamp::now();
            let rows: Vec<CosignatureRow> = signed
                .into_iter()
                .map(|s| CosignatureRow {
                    height: s.height,
                    witness: witness.name().clone(),
                    role: witness.role(),
                    cms: s.cms,
                    signed: now,
                })
                .collect();
            last = rows.iter().map(|r| r.height).max().or(last);
            self.store.insert_cosignatures(&rows).await.map_err(store_err)?;
            if blocks.len() < MAX_HEADERS_PER_REQUEST {
                return Ok(last);
            }
        }
    }

    /// Refuses a co-signature that a verifier would refuse (signature, chain to our anchors,
    /// validity at signing time, role) or whose key another witness already signs with.
    fn check_cosignature(&self, witness: &WitnessClient, header: &str, cms: &[u8]) -> Result<(), CosignError> {
        let refuse = |what: &str, why: String| CosignError::Protocol(format!("{what}: {why}"));
        let chain = chain_of(cms).map_err(|e| refuse("unreadable co-signature", format!("{e:#}")))?;
        let cosig = Cosignature { witness: witness.name().clone(), role: witness.role(), cms: cms.to_vec(), chain };
        let c = OpensslChecker { trust: &self.trust }.check(header.as_bytes(), &cosig);
        for (what, outcome) in
            [("signature", c.signature), ("chain", c.chain), ("validity", c.validity), ("role", c.role)]
        {
            outcome.map_err(|why| refuse(what, why))?;
        }
        let signer = c.signer.ok_or_else(|| refuse("signer", "no signer certificate".into()))?;
        if signer.role != Some(witness.role()) {
            return Err(refuse("role", format!("signed by a certificate of another role, not {}", witness.role())));
        }
        let mut keys = self.keys.lock().expect("keys lock");
        match keys.get(&signer.key_id) {
            Some(owner) if owner != witness.name() => {
                Err(refuse("key", format!("witness {owner} signs with the same key")))
            }
            Some(_) => Ok(()),
            None => {
                keys.insert(signer.key_id, witness.name().clone());
                Ok(())
            }
        }
    }

    async fn anchor(&self) -> anyhow::Result<()> {
        let anchored =
            self.store.anchor_at_quorum(self.config.court_quorum, self.config.notary_quorum, Timestamp::now()).await?;
        if anchored > 0 {
            self.anchored.send_modify(|n| *n += anchored);
        }
        Ok(())
    }
}
