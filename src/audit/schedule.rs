//! The scheduled audit of the server: on a cron schedule (tokio-cron-scheduler), audit the
//! anchored blocks after the last block audited, log the result and show it in `/readyz`.
//!
//! The cursor (the last block found consistent) is kept in the database, so a restart continues
//! where the last run stopped instead of auditing everything again; `notarium audit` is the full
//! check. Blocks still waiting for a co-signature are left for a later run, so each block is
//! audited once with all its co-signatures. An inconsistency does not move the cursor past it:
//! every run reports it again until it is dealt with.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, anyhow, bail};
use serde::Serialize;
use tokio::sync::watch;
use tokio_cron_scheduler::{Job, JobScheduler};

use super::{ChainTip, Outcome, Rules, audit};
use crate::domain::Timestamp;
use crate::store::Store;

/// The default `audit_cron`: every day at 03:00:00 UTC.
pub const DEFAULT_AUDIT_CRON: &str = "0 0 3 * * *";

/// Checks a cron expression as the scheduler reads it: six fields with seconds first
/// (`sec min hour day-of-month month day-of-week`, an optional seventh for the year), in UTC,
/// and it must fire at least once more.
pub fn validate_cron(expr: &str) -> anyhow::Result<()> {
    let mut job = Job::new_async(expr, |_, _| Box::pin(async {})).map_err(|_| {
        anyhow!(
            "{expr:?} is not a cron expression of six fields with seconds first \
             (sec min hour day-of-month month day-of-week, UTC), e.g. \"0 0 3 * * *\" for 03:00 every day"
        )
    })?;
    if job.job_data().map_err(|e| anyhow!("{e}"))?.next_tick == 0 {
        bail!("{expr:?} never fires again");
    }
    Ok(())
}

/// What `/readyz` shows of the scheduled audit.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct AuditStatus {
    /// The cron expression (UTC, seconds first).
    pub schedule: String,
    /// When the last run started, and how long it took.
    pub last_run: Option<Timestamp>,
    pub duration_ms: Option<u64>,
    /// The heights the last run set out to audit; both null when nothing new was anchored.
    pub from_height: Option<u64>,
    pub to_height: Option<u64>,
    /// What the last run found consistent.
    pub records: u64,
    pub blocks: u64,
    pub cosignatures: u64,
    /// `true` when the last run found nothing wrong; null before the first run.
    pub ok: Option<bool>,
    /// The first inconsistency the last run found.
    pub inconsistency: Option<String>,
    /// Why the last run could not read the database.
    pub error: Option<String>,
    /// The highest height found consistent so far (the durable cursor).
    pub audited_through: Option<u64>,
}

/// The status shared with `/readyz`.
pub type SharedAuditStatus = Arc<Mutex<AuditStatus>>;

/// The running schedule. [`ScheduledAudit::stop`] ends it; a run in progress is abandoned
/// between two reads (it only reads, and moves the cursor in one statement at the end).
pub struct ScheduledAudit {
    scheduler: JobScheduler,
    stop: watch::Sender<bool>,
    running: Arc<tokio::sync::Mutex<()>>,
}

impl ScheduledAudit {
    /// Schedules the audit at `cron` (see [`validate_cron`]). A run that fires while the
    /// previous one is still going is skipped.
    pub async fn start(cron: &str, store: Store, rules: Rules, status: SharedAuditStatus) -> anyhow::Result<Self> {
        validate_cron(cron).context("setting audit_cron")?;
        let cursor = store.audit_cursor().await?;
        {
            let mut s = status.lock().expect("audit status lock");
            s.schedule = cron.to_owned();
            s.audited_through = cursor.map(|c| c.height);
        }
        let (stop, stop_rx) = watch::channel(false);
        let running = Arc::new(tokio::sync::Mutex::new(()));
        let (trust, lock) = (Arc::new(rules), running.clone());
        let job = Job::new_async(cron, move |_, _| {
            let (store, trust, status, lock, mut stop_rx) =
                (store.clone(), trust.clone(), status.clone(), lock.clone(), stop_rx.clone());
            Box::pin(async move {
                let Ok(_running) = lock.try_lock() else {
                    tracing::info!("scheduled audit: the previous run is still going; skipping this one");
                    return;
                };
                tokio::select! {
                    () = run_and_report(&store, trust, &status) => {}
                    _ = stop_rx.wait_for(|stop| *stop) => tracing::info!("scheduled audit: stopped by shutdown"),
                }
            })
        })
        .map_err(|e| anyhow!("scheduling the audit: {e}"))?;
        let scheduler = JobScheduler::new().await.map_err(|e| anyhow!("starting the audit scheduler: {e}"))?;
        scheduler.add(job).await.map_err(|e| anyhow!("scheduling the audit: {e}"))?;
        scheduler.start().await.map_err(|e| anyhow!("starting the audit scheduler: {e}"))?;
        tracing::info!("audit scheduled at \"{cron}\" (UTC)");
        Ok(Self { scheduler, stop, running })
    }

    /// Stops the schedule and waits until no run is using the store.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.scheduler.shutdown().await {
            tracing::warn!("stopping the audit scheduler: {e}");
        }
        let _idle = self.running.lock().await;
    }
}

/// One scheduled run: the blocks after the cursor through the newest block below the oldest
/// unanchored one. Returns the heights it set out to audit and what it found (`None` when
/// there was nothing new); moves the cursor to the last block found consistent.
pub async fn run_once(store: &Store, rules: Arc<Rules>) -> anyhow::Result<Option<(u64, u64, Outcome)>> {
    let tip = store.audit_cursor().await?.map(ChainTip::from);
    let from = tip.as_ref().map_or(0, |t| t.height + 1);
    let through = match (store.max_height().await?, store.oldest_unanchored().await?) {
        (None, _) => None,
        (Some(newest), None) => Some(newest),
        (Some(_), Some(unanchored)) => unanchored.checked_sub(1),
    };
    let Some(through) = through.filter(|&t| t >= from) else { return Ok(None) };
    let outcome = audit(store, rules, tip.clone(), through).await?;
    if let Some(new_tip) = outcome.tip.as_ref().filter(|t| Some(*t) != tip.as_ref()) {
        store.set_audit_cursor(&new_tip.cursor(Timestamp::now())).await.context("moving the audit cursor")?;
    }
    Ok(Some((from, through, outcome)))
}

/// Runs once, logs the result (info when consistent, error naming the inconsistency) and
/// records it for `/readyz`.
async fn run_and_report(store: &Store, rules: Arc<Rules>, status: &SharedAuditStatus) {
    let (started, clock) = (Timestamp::now(), Instant::now());
    let result = run_once(store, rules).await;
    let mut s = status.lock().expect("audit status lock");
    s.last_run = Some(started);
    s.duration_ms = Some(clock.elapsed().as_millis() as u64);
    (s.from_height, s.to_height, s.records, s.blocks, s.cosignatures) = (None, None, 0, 0, 0);
    (s.inconsistency, s.error) = (None, None);
    match result {
        Ok(None) => {
            s.ok = Some(true);
            tracing::info!("scheduled audit: no newly anchored block to audit");
        }
        Ok(Some((from, through, outcome))) => {
            let sum = &outcome.summary;
            (s.from_height, s.to_height) = (Some(from), Some(through));
            (s.records, s.blocks, s.cosignatures) = (sum.records, sum.blocks, sum.cosignatures);
            s.audited_through = outcome.tip.as_ref().map(|t| t.height).or(s.audited_through);
            s.ok = Some(outcome.inconsistency.is_none());
            match &outcome.inconsistency {
                None => tracing::info!(
                    "scheduled audit: heights {from} to {through} consistent ({} records, {} co-signatures, {} ms)",
                    sum.records,
                    sum.cosignatures,
                    sum.elapsed_ms
                ),
                Some(found) => {
                    tracing::error!("scheduled audit: INCONSISTENT: {found}");
                    s.inconsistency = Some(found.to_string());
                }
            }
        }
        Err(e) => {
            tracing::error!("scheduled audit: could not read the database: {e:#}");
            s.ok = Some(false);
            s.error = Some("the database could not be read (the log says why)".into());
        }
    }
}
