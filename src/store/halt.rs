//! The log halted by a fork, recorded in the database so that a restart keeps it and every
//! node on the database refuses new evidence alike, until the operator resumes the log
//! (`notarium admin log resume`, docs/operations.md).

use std::fmt;

use async_trait::async_trait;

use crate::domain::{Timestamp, WitnessName};

/// Why the log is halted: the first fork refusal since the last resume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogHalt {
    /// The witness's words (its refusal's detail).
    pub reason: String,
    /// The witness that refused.
    pub witness: WitnessName,
    /// The highest height that witness says it co-signed, when it says.
    pub height: Option<u64>,
    /// When the refusal came.
    pub halted: Timestamp,
}

impl fmt::Display for LogHalt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "witness {} refused with fork at {}", self.witness, self.halted)?;
        if let Some(height) = self.height {
            write!(f, " (it co-signed up to height {height})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

#[async_trait]
pub trait HaltStore: Send + Sync {
    /// The halt in force, if any.
    async fn log_halt(&self) -> anyhow::Result<Option<LogHalt>>;

    /// Records `halt` unless one is in force already (the first refusal is kept); the halt in
    /// force.
    async fn record_log_halt(&self, halt: &LogHalt) -> anyhow::Result<LogHalt>;

    /// Lifts the halt in force; the halt lifted, `None` when there was none (or another
    /// operator lifted it meanwhile).
    async fn clear_log_halt(&self) -> anyhow::Result<Option<LogHalt>>;
}
