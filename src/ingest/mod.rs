//! Group commit: handlers submit to one writer task, which takes every submission waiting at
//! that moment into one transaction (multi-row inserts, `synchronous=FULL`), then answers
//! each. A `201` is only sent after its transaction committed. A failed group is answered
//! with its error (a storage fault keeps its kind, so the `503` code survives the hop) and the
//! writer goes on with the next one; [`WriteHealth`] keeps the last outcome for readiness.

mod halt;
mod health;

pub use halt::{HaltCheck, LogHalted};
pub use health::{LastWrite, WriteHealth, WriteOutcome};

use std::sync::Arc;

use anyhow::anyhow;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::domain::EvidenceKind;
use crate::metrics::{KindLabel, Metrics};
use crate::store::writer::{Outcome, RecordWriter, Submission};
use crate::store::{Fault, Unavailable, fault_of};

/// At most this many records go into one transaction (more wait for the next one).
pub const MAX_GROUP_RECORDS: usize = 50_000;
const QUEUE_DEPTH: usize = 4096;

enum Job {
    Write {
        submission: Box<Submission>,
        reply: oneshot::Sender<Result<Outcome, WriteFailed>>,
    },
    /// Answered once every job queued before it is done ([`Ingest::flush`]); writes nothing.
    Barrier(oneshot::Sender<()>),
}

/// Why a group was not written, as each of its requests is told.
#[derive(Debug, Clone)]
struct WriteFailed {
    message: String,
    /// A storage fault (`store::fault_of`): the request may be tried again.
    fault: Option<Fault>,
}

/// The handlers' side of the writer.
#[derive(Clone)]
pub struct Ingest {
    jobs: mpsc::Sender<Job>,
    metrics: Option<Arc<Metrics>>,
    health: WriteHealth,
    /// Whether a fork halted the log.
    halt: Option<HaltCheck>,
}

impl Ingest {
    /// Starts the writer task. `written` is notified after each commit (the sealer's size
    /// trigger). The task ends once every `Ingest` clone is dropped and the queue is drained.
    pub fn start(writer: Box<dyn RecordWriter>, written: Arc<Notify>) -> (Self, JoinHandle<()>) {
        let (jobs, rx) = mpsc::channel(QUEUE_DEPTH);
        let health = WriteHealth::default();
        let task = tokio::spawn(run(writer, rx, written, health.clone()));
        (Self { jobs, metrics: None, health, halt: None }, task)
    }

    /// Refuses every submission with [`LogHalted`] while `halted` says why.
    pub fn with_halt(self, halted: HaltCheck) -> Self {
        Self { halt: Some(halted), ..self }
    }

    /// How the last group went.
    pub fn health(&self) -> &WriteHealth {
        &self.health
    }

    /// Counts the records written, by kind, in `metrics`.
    pub fn with_metrics(self, metrics: Arc<Metrics>) -> Self {
        Self { metrics: Some(metrics), ..self }
    }

    /// Returns once every submission queued before it has been written or refused; needs no
    /// commit of its own, so it returns on a full disk too.
    pub async fn flush(&self) -> anyhow::Result<()> {
        let (reply, done) = oneshot::channel();
        self.jobs.send(Job::Barrier(reply)).await.map_err(|_| anyhow!("the evidence writer has stopped"))?;
        done.await.map_err(|_| anyhow!("the evidence writer stopped before the flush"))
    }

    /// Writes one submission durably (or finds its idempotent twin).
    pub async fn submit(&self, submission: Submission) -> anyhow::Result<Outcome> {
        if let Some(reason) = self.halt.as_ref().and_then(|halted| halted()) {
            return Err(LogHalted(reason).into());
        }
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Write { submission: Box::new(submission), reply })
            .await
            .map_err(|_| anyhow!("the evidence writer has stopped"))?;
        let outcome =
            answer.await.map_err(|_| anyhow!("the evidence writer stopped before answering"))?.map_err(|f| match f
                .fault
            {
                Some(fault) => anyhow::Error::new(Unavailable { fault, message: f.message }),
                None => anyhow!(f.message),
            })?;
        if let (Some(metrics), Outcome::Created(records)) = (&self.metrics, &outcome) {
            // Counted per kind, not per record: a batch holds up to 10,000 records of few kinds.
            let mut by_kind: Vec<(EvidenceKind, u64)> = Vec::new();
            for r in records {
                match by_kind.iter_mut().find(|(k, _)| *k == r.kind) {
                    Some((_, n)) => *n += 1,
                    None => by_kind.push((r.kind, 1)),
                }
            }
            for (kind, n) in by_kind {
                metrics.evidence.get_or_create(&KindLabel { kind: kind.to_string() }).inc_by(n);
            }
        }
        Ok(outcome)
    }
}

async fn run(
    mut writer: Box<dyn RecordWriter>,
    mut rx: mpsc::Receiver<Job>,
    written: Arc<Notify>,
    health: WriteHealth,
) {
    while let Some(first) = rx.recv().await {
        let (mut group, mut barriers) = (Vec::new(), Vec::new());
        let mut records = 0;
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Write { submission, reply } => {
                    records += submission.items.len();
                    group.push((*submission, reply));
                }
                Job::Barrier(reply) => barriers.push(reply),
            }
            if records < MAX_GROUP_RECORDS {
                next = rx.try_recv().ok();
            }
        }
        if !group.is_empty() {
            write_group(writer.as_mut(), group, &written, &health).await;
        }
        for reply in barriers {
            let _ = reply.send(());
        }
    }
}

/// Writes one group and answers each of its requests.
async fn write_group(
    writer: &mut dyn RecordWriter,
    group: Vec<(Submission, oneshot::Sender<Result<Outcome, WriteFailed>>)>,
    written: &Notify,
    health: &WriteHealth,
) {
    let (submissions, replies): (Vec<Submission>, Vec<_>) = group.into_iter().unzip();
    match writer.write(&submissions).await {
        Ok(outcomes) => {
            health.record(WriteOutcome::Committed);
            written.notify_one();
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(e) => {
            let fault = fault_of(&e);
            health.record(WriteOutcome::Failed(fault));
            match fault {
                Some(fault) => {
                    tracing::warn!("writing {} submission(s) failed ({}): {e:#}", replies.len(), fault.code())
                }
                None => tracing::error!("writing {} submission(s) failed: {e:#}", replies.len()),
            }
            let failed = WriteFailed { message: format!("{e:#}"), fault };
            for reply in replies {
                let _ = reply.send(Err(failed.clone()));
            }
        }
    }
}
