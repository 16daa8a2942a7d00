//! How the evidence writer's last group went: what readiness knows of this node's commits
//! without writing anything itself.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::store::Fault;

/// The outcome of the writer's last group (`None` before the first).
#[derive(Debug, Clone, Default)]
pub struct WriteHealth(Arc<Mutex<Option<LastWrite>>>);

/// One group's outcome and when it came.
#[derive(Debug, Clone, Copy)]
pub struct LastWrite {
    pub at: Instant,
    pub outcome: WriteOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    Committed,
    /// A storage fault (`Some`), or another failure.
    Failed(Option<Fault>),
}

impl WriteHealth {
    pub fn last(&self) -> Option<LastWrite> {
        *self.0.lock().expect("write health lock")
    }

    pub(super) fn record(&self, outcome: WriteOutcome) {
        *self.0.lock().expect("write health lock") = Some(LastWrite { at: Instant::now(), outcome });
    }
}
