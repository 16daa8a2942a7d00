//! Stopping on a signal: the service and the witness process stop gracefully on SIGTERM or
//! SIGINT.
//!
//! The handlers are installed by [`StopSignals::listen`], which a process calls before it
//! announces itself (the `listen-addr` file): a supervisor that reads the file and sends
//! SIGTERM at once must get a graceful stop, not the default action (exit 143).

use tokio::signal::unix::{Signal, SignalKind, signal};

/// SIGTERM and SIGINT, caught from the moment this is made.
pub struct StopSignals {
    term: Signal,
    int: Signal,
}

impl StopSignals {
    /// Installs the handlers; must run inside a Tokio runtime.
    pub fn listen() -> std::io::Result<Self> {
        Ok(Self { term: signal(SignalKind::terminate())?, int: signal(SignalKind::interrupt())? })
    }

    /// Waits for SIGTERM or SIGINT.
    pub async fn wait(mut self) {
        tokio::select! { _ = self.term.recv() => {}, _ = self.int.recv() => {} }
    }
}
