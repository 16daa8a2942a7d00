//! The log halted by a fork: once a witness refuses a header with `fork` (the operator's
//! database was rolled back or tampered with), records taken now could never be anchored, so
//! no new evidence is accepted (`503 log_halted`) while the halt is in force.

use std::sync::Arc;

/// A submission refused because the log is halted; `Problem::internal` answers it `503
/// log_halted`.
#[derive(Debug, thiserror::Error)]
#[error("the log is halted: {0}")]
pub struct LogHalted(pub String);

/// Says why the log is halted, if it is (the application asks the sealer's status).
pub type HaltCheck = Arc<dyn Fn() -> Option<String> + Send + Sync>;
