//! Waiting for a condition by polling it, never for a fixed time.

use std::fmt::Display;
use std::time::Duration;

/// How often [`wait_until`] asks again.
pub const POLL: Duration = Duration::from_millis(25);

/// Polls `probe` every [`POLL`] until it returns `Ok`, and returns that value. `Err` says what
/// is seen instead; after `timeout` the test fails with the last of it.
pub async fn wait_until<T, E: Display>(timeout: Duration, mut probe: impl AsyncFnMut() -> Result<T, E>) -> T {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(seen) => assert!(tokio::time::Instant::now() < deadline, "not within {timeout:?}: {seen}"),
        }
        tokio::time::sleep(POLL).await;
    }
}
