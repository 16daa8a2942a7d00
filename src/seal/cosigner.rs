//! One task per witness: sends the witness every header it has not co-signed, checks and
//! stores what it signs, anchors what reaches the quorum, and retries with backoff while the
//! witness is down or refuses. A slow or absent witness therefore never holds up sealing or
//! the other witnesses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::watch;

use super::backoff::Backoff;
use super::status::SharedStatus;
use crate::crypto::{OpensslChecker, TrustStore};
use crate::domain::verify::{CosignatureChecker, QuorumPolicy};
use crate::domain::{Cosignature, Timestamp, WitnessName};
use crate::metrics::{Metrics, RefusalLabels};
use crate::receipts::chain_of;
use crate::store::{CosignatureRow, Store};
use crate::witness::client::{CosignError, WitnessClient};
use crate::witness::protocol::MAX_HEADERS_PER_REQUEST;

/// Which witness each signing key belongs to: two witnesses may never share a key.
pub type KeyOwners = Arc<Mutex<HashMap<[u8; 32], WitnessName>>>;

pub struct Cosigner {
    pub store: Store,
    pub witness: WitnessClient,
    /// This witness's entry in `status.witnesses`.
    pub index: usize,
    /// Co-signatures are checked against these anchors before they count, exactly as a
    /// court's verifier will check them.
    pub trust: TrustStore,
    pub keys: KeyOwners,
    pub quorum: QuorumPolicy,
    pub backoff: Backoff,
    /// Bumped whenever blocks get anchored.
    pub anchored: Arc<watch::Sender<u64>>,
    pub status: SharedStatus,
    pub metrics: Arc<Metrics>,
}

impl Cosigner {
    /// Works until drained: `sealed` changes after every new block; `drain` carries the
    /// deadline once the sealer has sealed its last block, and the cosigner then returns as
    /// soon as it has brought everything co-signed (or at the deadline).
    pub async fn run(mut self, mut sealed: watch::Receiver<()>, mut drain: watch::Receiver<Option<Instant>>) {
        loop {
            let draining_since_start = *drain.borrow_and_update();
            let ok = self.attempt().await;
            let delay = if ok {
                self.backoff.succeeded();
                None
            } else {
                Some(self.backoff.failed())
            };
            self.status.lock().expect("status lock").witnesses[self.index].retry_in_ms =
                delay.map(|d| d.as_millis() as u64);
            let draining = draining_since_start.or_else(|| *drain.borrow());
            if let Some(deadline) = draining {
                let now = Instant::now();
                if (ok && draining_since_start.is_some()) || now >= deadline {
                    return;
                }
                tokio::time::sleep(delay.unwrap_or_default().min(deadline - now)).await;
                continue;
            }
            tokio::select! {
                changed = sealed.changed(), if delay.is_none() => if changed.is_err() { return },
                _ = tokio::time::sleep(delay.unwrap_or_default()), if delay.is_some() => {}
                _ = drain.changed() => {}
            }
        }
    }

    /// Brings the witness up to date and anchors what reaches the quorum; records the outcome
    /// in the status. `true` on success.
    async fn attempt(&self) -> bool {
        let result = self.cosign_backlog().await;
        let ok = result.is_ok();
        self.record(result);
        if !ok {
            return false;
        }
        match self.anchor().await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!("anchoring failed: {e:#}");
                false
            }
        }
    }

    fn record(&self, result: Result<Option<u64>, CosignError>) {
        let name = self.witness.name();
        let mut status = self.status.lock().expect("status lock");
        let s = &mut status.witnesses[self.index];
        match result {
            Ok(last) => {
                if s.last_error.take().is_some() {
                    tracing::info!(witness = %name, "co-signing again");
                }
                s.reachable = Some(true);
                s.last_contact = Some(Timestamp::now());
                s.last_height = last.or(s.last_height);
            }
            Err(e) => {
                s.reachable = Some(!matches!(e, CosignError::Unreachable(_)));
                let label = Metrics::witness(name.as_str());
                if let CosignError::Refused { code, detail, .. } = &e {
                    let labels = RefusalLabels { witness: label.witness, code: code.clone() };
                    self.metrics.refusals.get_or_create(&labels).inc();
                    s.refusals += 1;
                    s.last_refusal = Some(format!("{code}: {detail}"));
                    if code == "fork" {
                        if status.fork.is_none() {
                            tracing::error!(witness = %name, "witness reports a fork: {detail}");
                        }
                        status.fork = Some(format!("witness {name} refused with fork: {detail}"));
                        return;
                    }
                } else {
                    self.metrics.cosign_failures.get_or_create(&label).inc();
                }
                let message = e.to_string();
                if s.last_error.as_deref() != Some(message.as_str()) {
                    tracing::warn!(witness = %name, "co-signing failed: {message}");
                    s.last_error = Some(message);
                }
            }
        }
    }

    /// Sends every header the witness has not co-signed, 1,000 at a time, and stores what it
    /// signs. Returns the highest height it has co-signed.
    async fn cosign_backlog(&self) -> Result<Option<u64>, CosignError> {
        let witness = &self.witness;
        let store_err = |e: anyhow::Error| CosignError::Protocol(format!("local store: {e:#}"));
        let mut last = self.store.last_cosigned(witness.name()).await.map_err(store_err)?;
        loop {
            let from = last.map_or(0, |h| h + 1);
            let blocks = self.store.blocks_from(from, MAX_HEADERS_PER_REQUEST as u32).await.map_err(store_err)?;
            if blocks.is_empty() {
                return Ok(last);
            }
            let headers: Vec<String> = blocks.iter().map(|b| b.header.clone()).collect();
            let started = Instant::now();
            let answer = witness.cosign(&headers).await;
            let label = Metrics::witness(witness.name().as_str());
            self.metrics.cosign_seconds.get_or_create(&label).observe(started.elapsed().as_secs_f64());
            let signed = answer?;
            if signed.is_empty() {
                return Ok(last);
            }
            for s in &signed {
                let header = blocks.iter().find(|b| b.height == s.height).map(|b| b.header.as_str());
                let header = header
                    .ok_or_else(|| CosignError::Protocol(format!("a co-signature for unsent height {}", s.height)))?;
                self.check_cosignature(header, &s.cms)?;
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
    fn check_cosignature(&self, header: &str, cms: &[u8]) -> Result<(), CosignError> {
        let witness = &self.witness;
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
        let anchored = self.store.anchor_at_quorum(&self.quorum, Timestamp::now()).await?;
        if anchored > 0 {
            self.anchored.send_modify(|n| *n += anchored);
        }
        Ok(())
    }
}
