//! Stopping on a signal: the service and the witness process stop gracefully on SIGTERM or
//! SIGINT.

use tokio::signal::unix::{Signal, SignalKind, signal};

/// SIGTERM and SIGINT, caught from the moment this is made: a signal that arrives before
/// [`StopSignals::wait`] is polled is not lost (the service makes it before it writes its
/// address file, which is what scripts and tests wait for before they send SIGTERM).
pub struct StopSignals(Option<(Signal, Signal)>);

impl StopSignals {
    /// Starts catching the signals (inside a Tokio runtime).
    pub fn install() -> Self {
        Self(signal(SignalKind::terminate()).ok().zip(signal(SignalKind::interrupt()).ok()))
    }

    /// Waits for SIGTERM or SIGINT (forever when they could not be caught).
    pub async fn wait(self) {
        match self.0 {
            Some((mut term, mut int)) => {
                tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
            }
            None => std::future::pending().await,
        }
    }
}

/// Waits for SIGTERM or SIGINT.
pub async fn wait_for_signal() {
    StopSignals::install().wait().await
}
