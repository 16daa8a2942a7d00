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
use crate::crypto::{OpensslChecker, TrustStore, certs, cms};
use crate::domain::verify::{CosignatureChecker, QuorumPolicy};
use crate::domain::{Cosignature, Timestamp, WitnessName};
use crate::metrics::{Metrics, RefusalLabels};
use crate::receipts::chain_of;
use crate::store::{CosignatureRow, LogHalt, Store};
use crate::witness::client::{CosignError, WitnessClient};
use crate::witness::protocol::MAX_HEADERS_PER_REQUEST;
use openssl::x509::X509;

/// Which witness each signing key belongs to: two witnesses may never share a key.
pub type KeyOwners = Arc<Mutex<HashMap<[u8; 32], WitnessName>>>;

/// The key owners as the stored co-signatures show them (each witness's latest), so that a
/// key claimed before a restart stays claimed: anchoring counts witnesses as keys.
pub async fn stored_key_owners(store: &Store, witnesses: &[WitnessClient]) -> anyhow::Result<KeyOwners> {
    let mut owners = HashMap::new();
    let names: Vec<WitnessName> = witnesses.iter().map(|w| w.name().clone()).collect();
    // One statement for every witness's latest co-signature, in the witnesses' order.
    let latest = store.latest_cosignatures(&names).await?;
    for name in &names {
        let Some(row) = latest.iter().find(|r| r.witness == *name) else { continue };
        let signer = cms::inspect(&row.cms).map_err(|e| anyhow::anyhow!("stored co-signature of {name}: {e}"))?;
        let key = certs::key_id(&X509::from_der(&signer.signer_cert)?).map_err(anyhow::Error::msg)?;
        if let Some(owner) = owners.insert(key, name.clone()) {
            tracing::error!("witnesses {owner} and {name} have stored co-signatures with the same key");
        }
    }
    Ok(Arc::new(Mutex::new(owners)))
}

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
    pub anchored: watch::Sender<u64>,
    pub status: SharedStatus,
    pub metrics: Arc<Metrics>,
}

/// Why an attempt failed: the witness (down, refusing, a bad answer) or our own database,
/// which says nothing about the witness.
enum Failure {
    Witness(CosignError),
    Local(anyhow::Error),
}

/// What an attempt achieved: the highest height the witness has co-signed, and whether new
/// co-signatures were stored (only then can a block newly meet the quorum).
struct Progress {
    last: Option<u64>,
    stored: bool,
}

impl Cosigner {
    /// Works until drained: `sealed` changes after every new block; `drain` carries the
    /// deadline once the sealer has sealed its last block, and the cosigner then returns as
    /// soon as it has brought everything co-signed (or at the deadline).
    pub async fn run(mut self, mut sealed: watch::Receiver<()>, mut drain: watch::Receiver<Option<Instant>>) {
        let mut anchor_anyway = true; // once at start: a crash may have come between store and anchor
        loop {
            let draining_since_start = *drain.borrow_and_update();
            sealed.borrow_and_update(); // blocks sealed from now on wake the next attempt
            let ok = self.attempt(std::mem::take(&mut anchor_anyway)).await;
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

    /// Brings the witness up to date and, when it stored co-signatures (or `anchor_anyway`),
    /// anchors what reaches the quorum; records the outcome in the status. `true` on success.
    async fn attempt(&self, anchor_anyway: bool) -> bool {
        let progress = match self.cosign_backlog().await {
            Ok(progress) => progress,
            Err(Failure::Witness(e)) => {
                if let Some(halt) = self.record(Err(e)) {
                    self.halt(halt).await;
                }
                return false;
            }
            Err(Failure::Local(e)) => {
                tracing::error!(witness = %self.witness.name(), "co-signing stopped by the local store: {e:#}");
                return false;
            }
        };
        self.record(Ok(progress.last));
        if !(progress.stored || anchor_anyway) {
            return true;
        }
        match self.anchor().await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!("anchoring failed: {e:#}");
                false
            }
        }
    }

    /// Halts the log: records `halt` in the database, which keeps the first halt (from any
    /// witness, on any node) and outlives this process, and shows the one in force. Should the
    /// database fail, this node halts all the same.
    async fn halt(&self, halt: LogHalt) {
        let in_force = self.store.record_log_halt(&halt).await.unwrap_or_else(|e| {
            tracing::error!("recording the fork halt in the database: {e:#}");
            halt
        });
        let mut status = self.status.lock().expect("status lock");
        if status.fork.is_none() {
            tracing::error!("the log is halted: {in_force}");
        }
        status.fork = Some(in_force);
        status.halts_recorded += 1;
    }

    /// A `fork` refusal halts the log: the halt is returned for [`Cosigner::halt`].
    fn record(&self, result: Result<Option<u64>, CosignError>) -> Option<LogHalt> {
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
                if let CosignError::Refused { code, detail, last_signed_height, .. } = &e {
                    let labels = RefusalLabels { witness: label.witness, code: code.clone() };
                    self.metrics.refusals.get_or_create(&labels).inc();
                    s.refusals += 1;
                    s.last_refusal = Some(format!("{code}: {detail}"));
                    if code == "fork" {
                        let halt = LogHalt {
                            reason: detail.clone(),
                            witness: name.clone(),
                            height: *last_signed_height,
                            halted: Timestamp::now(),
                        };
                        return Some(halt);
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
        None
    }

    /// Sends every header the witness has not co-signed, 1,000 at a time, and stores what it
    /// signs.
    async fn cosign_backlog(&self) -> Result<Progress, Failure> {
        let witness = &self.witness;
        let mut last = self.store.last_cosigned(witness.name()).await.map_err(Failure::Local)?;
        let mut stored = false;
        loop {
            let from = last.map_or(0, |h| h + 1);
            let blocks = self.store.blocks_from(from, MAX_HEADERS_PER_REQUEST as u32).await.map_err(Failure::Local)?;
            if blocks.is_empty() {
                return Ok(Progress { last, stored });
            }
            let headers: Vec<String> = blocks.iter().map(|b| b.header.clone()).collect();
            let started = Instant::now();
            let answer = witness.cosign(&headers).await;
            let label = Metrics::witness(witness.name().as_str());
            self.metrics.cosign_seconds.get_or_create(&label).observe(started.elapsed().as_secs_f64());
            let signed = answer.map_err(Failure::Witness)?;
            if signed.is_empty() {
                return Ok(Progress { last, stored });
            }
            for s in &signed {
                let header = blocks.iter().find(|b| b.height == s.height).map(|b| b.header.as_str());
                let unsent = || {
                    Failure::Witness(CosignError::Protocol(format!("a co-signature for unsent height {}", s.height)))
                };
                let header = header.ok_or_else(unsent)?;
                self.check_cosignature(header, &s.cms).map_err(Failure::Witness)?;
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
            self.store.insert_cosignatures(&rows).await.map_err(Failure::Local)?;
            stored = true;
            if blocks.len() < MAX_HEADERS_PER_REQUEST {
                return Ok(Progress { last, stored });
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
        // The client already refused a certificate of another role than the witness's.
        let signer = c.signer.ok_or_else(|| refuse("signer", "no signer certificate".into()))?;
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
