//! The fork halt as the operator handles it (`notarium admin log resume`): after restoring
//! the database or re-enrolling the witnesses (docs/operations.md, "A fork"), the operator
//! lifts the halt and the nodes take new evidence again within a second.

use crate::store::{LogHalt, Store};

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
pub async fn resume(store: &Store) -> Result<LogHalt, ResumeError> {
    store.clear_log_halt().await?.ok_or(ResumeError::NotHalted)
}
