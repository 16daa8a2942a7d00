//! What operators ask of a running service: readiness, the witnesses' lag, the state gauges.

use std::time::Duration;

use crate::audit::schedule::{AuditStatus, SharedAuditStatus};
use crate::domain::Timestamp;
use crate::ingest::{WriteHealth, WriteOutcome};
use crate::metrics::Metrics;
use crate::seal::{SharedStatus, WitnessStatus};
use crate::store::{Fault, Store, fault_of};

/// A sealer that has not started or ended a round for this long (10 × `seal_interval_ms`) is
/// reported as not running.
pub struct SealerLiveness(pub Duration);

/// How long the evidence writer's last group speaks for the node (committed: ready; refused by
/// a storage fault: not); after that readiness commits a probe that needs space.
pub const RECENT_WRITE: Duration = Duration::from_secs(10);

/// Whether the service can take and anchor records now.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `database_writable && sealer_running && fork == null`.
    pub ready: bool,
    /// This node can commit: its last write, if within the last 10 s, committed (one refused by
    /// a storage fault says no); else a probe that needs space committed.
    pub database_writable: bool,
    /// Why writes are refused while `database_writable` is false: `storage_full` or
    /// `storage_unavailable`, as the refused requests are told.
    #[schema(example = json!(null))]
    pub writes_refused: Option<String>,
    /// What `database_writable` rests on: `last_write` or `probe`.
    pub checked_by: String,
    /// The evidence writer's last group, if any since the start.
    pub last_write: Option<LastWriteView>,
    /// A sealing round started or ended within 10 × `seal_interval_ms`.
    pub sealer_running: bool,
    /// What a witness reported as a fork; null when none was detected.
    pub fork: Option<String>,
    pub witnesses: Vec<WitnessLag>,
    pub audit: AuditStatus,
}

/// How the evidence writer's last group went.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LastWriteView {
    pub committed: bool,
    /// The storage fault that refused it (`storage_full`, `storage_unavailable`), when one did.
    pub fault: Option<String>,
    pub seconds_ago: f64,
}

/// Each witness as operators see it: reachable, last height co-signed, lag in blocks and in
/// seconds (the age of the oldest block it has not co-signed), last refusal and error.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = WitnessView)]
pub struct WitnessLag {
    #[serde(flatten)]
    pub status: WitnessStatus,
    /// Blocks sealed that this witness has not co-signed.
    pub lag_blocks: u64,
    /// The age of the oldest block it has not co-signed.
    pub lag_seconds: f64,
}

/// Readiness, defined once: ready when this node can commit (its last write within the last
/// 10 s committed, or, with none, a probe that needs space commits), its sealer ran within the
/// liveness window, and no fork was detected. Witness and audit state are shown but do not
/// make it unready.
pub async fn readiness(
    store: &Store,
    writes: &WriteHealth,
    status: &SharedStatus,
    liveness: &SealerLiveness,
    audit: &SharedAuditStatus,
) -> anyhow::Result<Readiness> {
    let last = writes.last();
    let recent = last.filter(|w| w.at.elapsed() < RECENT_WRITE);
    let (writable, refused, checked_by) = match recent.map(|w| w.outcome) {
        Some(WriteOutcome::Committed) => (true, None, "last_write"),
        Some(WriteOutcome::Failed(Some(fault))) => (false, Some(fault.code().to_owned()), "last_write"),
        // No write lately, or one that failed for another reason than the storage.
        Some(WriteOutcome::Failed(None)) | None => match store.commit_probe().await {
            Ok(()) => (true, None, "probe"),
            Err(e) => {
                tracing::warn!("readiness: the database cannot commit: {e:#}");
                (false, Some(fault_of(&e).unwrap_or(Fault::Unavailable).code().to_owned()), "probe")
            }
        },
    };
    let (sealer_running, fork) = {
        let s = status.lock().expect("status lock");
        (s.last_round.is_some_and(|t| t.elapsed() < liveness.0), s.fork.as_ref().map(ToString::to_string))
    };
    let witnesses = witnesses(store, status).await?;
    let ready = writable && sealer_running && fork.is_none();
    let audit = audit.lock().expect("audit status lock").clone();
    Ok(Readiness {
        ready,
        database_writable: writable,
        writes_refused: refused,
        checked_by: checked_by.to_owned(),
        last_write: last.map(|w| LastWriteView {
            committed: w.outcome == WriteOutcome::Committed,
            fault: match w.outcome {
                WriteOutcome::Failed(Some(fault)) => Some(fault.code().to_owned()),
                _ => None,
            },
            seconds_ago: w.at.elapsed().as_secs_f64(),
        }),
        sealer_running,
        fork,
        witnesses,
        audit,
    })
}

/// The configured witnesses with their lag.
pub async fn witnesses(store: &Store, status: &SharedStatus) -> anyhow::Result<Vec<WitnessLag>> {
    let latest = store.latest_block().await?;
    let witnesses = status.lock().expect("status lock").witnesses.clone();
    let now = Timestamp::now().unix_millis();
    let mut items = Vec::with_capacity(witnesses.len());
    for w in witnesses {
        let next = w.last_height.map_or(0, |h| h + 1);
        let lag_blocks = latest.as_ref().map_or(0, |b| (b.height + 1).saturating_sub(next));
        let lag_seconds = match lag_blocks {
            0 => 0.0,
            _ => store.block(next).await?.map_or(0.0, |b| (now - b.sealed.unix_millis()).max(0) as f64 / 1000.0),
        };
        items.push(WitnessLag { status: w, lag_blocks, lag_seconds });
    }
    Ok(items)
}

/// Sets the state gauges (witness lag and reachability, fork, pending records, anchor lag,
/// database connections) from the same view as [`witnesses`], for a scrape.
pub async fn refresh_gauges(store: &Store, status: &SharedStatus, metrics: &Metrics) -> anyhow::Result<()> {
    for w in witnesses(store, status).await? {
        let label = Metrics::witness(&w.status.name);
        metrics.lag_blocks.get_or_create(&label).set(w.lag_blocks as i64);
        metrics.lag_seconds.get_or_create(&label).set(w.lag_seconds);
        metrics.reachable.get_or_create(&label).set(i64::from(w.status.reachable == Some(true)));
    }
    metrics.fork_detected.set(i64::from(status.lock().expect("status lock").fork.is_some()));
    let sealed_end = store.latest_block().await?.map_or(0, |b| b.end_seq());
    let written = store.max_seq().await?.map_or(0, |s| s + 1);
    metrics.pending_records.set(written.saturating_sub(sealed_end) as i64);
    let lag = store
        .oldest_unanchored_sealed()
        .await?
        .map_or(0.0, |t| (Timestamp::now().unix_millis() - t.unix_millis()).max(0) as f64 / 1000.0);
    metrics.anchor_lag_seconds.set(lag);
    let (open, idle) = store.pool_use();
    metrics.db_connections.set(i64::from(open));
    metrics.db_idle_connections.set(idle as i64);
    Ok(())
}
