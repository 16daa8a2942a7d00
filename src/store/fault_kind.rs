//! The kinds of storage fault, as the backends' classifiers (`sqlite::faults`,
//! `postgres::faults`) name them and [`super::fault`] passes them on.

/// Which storage fault an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// No space left: SQLite's `SQLITE_FULL`, PostgreSQL's `53100 disk_full`, `ENOSPC`.
    Full,
    /// Any other fault a later try may not meet: a lost or refused connection, a locked
    /// database, an I/O error.
    Unavailable,
}

impl Fault {
    /// The problem code clients see (docs/errors.md).
    pub fn code(self) -> &'static str {
        match self {
            Fault::Full => "storage_full",
            Fault::Unavailable => "storage_unavailable",
        }
    }
}
