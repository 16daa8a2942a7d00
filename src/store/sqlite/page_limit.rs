//! A test knob, not a setting: the most pages the database may grow to on the evidence
//! writer's connection and the readiness probe's (`PRAGMA max_page_count`), changeable while
//! the service runs. It is how the tests fill the database without root (`SQLITE_FULL`, as on a
//! full disk); nothing sets it in production, where it costs one atomic load per write group.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::sqlite::SqliteConnection;

/// SQLite's own largest `max_page_count`: what "no limit" sets once a limit was set.
const NO_LIMIT: u64 = 4_294_967_294;

/// Shared by every store opened with it; `0` means never set.
#[derive(Debug, Clone, Default)]
pub struct PageLimit(Arc<AtomicU64>);

impl PageLimit {
    /// Limits the database to `pages` (never below its current size), or lifts the limit.
    pub fn set(&self, pages: Option<u64>) {
        self.0.store(pages.unwrap_or(NO_LIMIT).max(1), Ordering::Release);
    }

    /// Applies the limit to `conn`, when one was ever set.
    pub(super) async fn apply(&self, conn: &mut SqliteConnection) -> sqlx::Result<()> {
        match self.0.load(Ordering::Acquire) {
            0 => Ok(()),
            // A number, not text from outside: PRAGMA takes no bound parameters.
            pages => sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA max_page_count = {pages}")))
                .execute(conn)
                .await
                .map(drop),
        }
    }
}
