//! Group commit: handlers submit to one writer task, which takes every submission waiting at
//! that moment into one transaction (multi-row inserts, `synchronous=FULL`), then answers
//! each. A `201` is only sent after its transaction committed.

use std::sync::Arc;

use anyhow::anyhow;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::domain::EvidenceKind;
use crate::metrics::{KindLabel, Metrics};
use crate::store::writer::{Outcome, RecordWriter, Submission};
use crate::store::{Unavailable, is_unavailable};

/// At most this many records go into one transaction (more wait for the next one).
pub const MAX_GROUP_RECORDS: usize = 50_000;
const QUEUE_DEPTH: usize = 4096;

struct Job {
    submission: Submission,
    reply: oneshot::Sender<Result<Outcome, WriteFailed>>,
}

/// Why a group was not written, as each of its requests is told.
#[derive(Debug, Clone)]
struct WriteFailed {
    message: String,
    /// A storage fault (`store::is_unavailable`): the request may be tried again.
    unavailable: bool,
}

/// The handlers' side of the writer.
#[derive(Clone)]
pub struct Ingest {
    jobs: mpsc::Sender<Job>,
    metrics: Option<Arc<Metrics>>,
}

impl Ingest {
    /// Starts the writer task. `written` is notified after each commit (the sealer's size
    /// trigger). The task ends once every `Ingest` clone is dropped and the queue is drained.
    pub fn start(writer: Box<dyn RecordWriter>, written: Arc<Notify>) -> (Self, JoinHandle<()>) {
        let (jobs, rx) = mpsc::channel(QUEUE_DEPTH);
        let task = tokio::spawn(run(writer, rx, written));
        (Self { jobs, metrics: None }, task)
    }

    /// Counts the records written, by kind, in `metrics`.
    pub fn with_metrics(self, metrics: Arc<Metrics>) -> Self {
        Self { metrics: Some(metrics), ..self }
    }

    /// Returns once every submission queued before it has been written.
    pub async fn flush(&self) -> anyhow::Result<()> {
        let empty = Submission::records(crate::domain::TenantId::generate(), Vec::new(), None);
        self.submit(empty).await.map(|_| ())
    }

    /// Writes one submission durably (or finds its idempotent twin).
    pub async fn submit(&self, submission: Submission) -> anyhow::Result<Outcome> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { submission, reply }).await.map_err(|_| anyhow!("the evidence writer has stopped"))?;
        let outcome = answer
            .await
            .map_err(|_| anyhow!("the evidence writer stopped before answering"))?
            .map_err(|f| if f.unavailable { anyhow::Error::new(Unavailable(f.message)) } else { anyhow!(f.message) })?;
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

async fn run(mut writer: Box<dyn RecordWriter>, mut rx: mpsc::Receiver<Job>, written: Arc<Notify>) {
    while let Some(first) = rx.recv().await {
        let mut records = first.submission.items.len();
        let mut group = vec![first];
        while records < MAX_GROUP_RECORDS {
            match rx.try_recv() {
                Ok(job) => {
                    records += job.submission.items.len();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        let (submissions, replies): (Vec<Submission>, Vec<_>) =
            group.into_iter().map(|j| (j.submission, j.reply)).unzip();
        match writer.write(&submissions).await {
            Ok(outcomes) => {
                written.notify_one();
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::error!("writing {} submission(s) failed: {e:#}", replies.len());
                let failed = WriteFailed { message: format!("{e:#}"), unavailable: is_unavailable(&e) };
                for reply in replies {
                    let _ = reply.send(Err(failed.clone()));
                }
            }
        }
    }
}
