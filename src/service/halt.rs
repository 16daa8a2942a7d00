//! The fork halt as the operator handles it (`notarium admin log resume`): after restoring
//! the database or re-enrolling the witnesses (docs/operations.md, "A fork"), the operator
//! lifts the halt and the nodes take new evidence again within a second.

use std::time::{Duration, Instant};

use crate::store::{LogHalt, Store, is_unavailable};

/// How long the command waits for a database a running server keeps busy.
const PATIENCE: Duration = Duration::from_secs(30);

/// Why nothing was resumed.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// No halt is recorded in the database (none happened, or it was lifted already).
    #[error("the log is not halted: nothing to resume")]
    NotHalted,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Lifts the halt in force; the halt lifted. A fork that is still there (the witnesses refuse
/// again) halts the log again at the next co-signing attempt.
/// Run beside a serving node, the delete can find the database locked for longer than one
/// busy timeout (seen once in six runs of `tests/api/log_halt.rs`; which of the server's
/// statements holds the lock so long is not found yet): it is tried again for up to 30 s.
pub async fn resume(store: &Store) -> Result<LogHalt, ResumeError> {
    let started = Instant::now();
    loop {
        match store.clear_log_halt().await {
            Ok(halt) => return halt.ok_or(ResumeError::NotHalted),
            Err(e) if is_unavailable(&e) && started.elapsed() < PATIENCE => {
                tracing::warn!("the database is busy, trying again: {e:#}");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}
