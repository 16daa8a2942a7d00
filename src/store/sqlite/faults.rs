//! Which SQLite failures mean "the storage cannot be used right now" rather than a bug.

use crate::store::fault_kind::Fault;

/// `SQLITE_FULL` (13, or a write that found no space) is [`Fault::Full`]; the database locked
/// past the busy timeout, an I/O error, or a connection that could not be opened or was closed
/// is [`Fault::Unavailable`]: a later try may succeed.
pub fn fault(cause: &(dyn std::error::Error + 'static)) -> Option<Fault> {
    let e = cause.downcast_ref::<sqlx::Error>()?;
    match e {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => Some(Fault::Full),
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => Some(Fault::Unavailable),
        // Primary result codes: SQLITE_BUSY 5, SQLITE_LOCKED 6, SQLITE_IOERR 10,
        // SQLITE_FULL 13, SQLITE_CANTOPEN 14 (extended codes keep the primary in the low byte).
        sqlx::Error::Database(db) if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() => {
            match db.code().and_then(|code| code.parse::<i32>().ok()).map(|code| code & 0xff) {
                Some(13) => Some(Fault::Full),
                Some(5 | 6 | 10 | 14) => Some(Fault::Unavailable),
                _ => None,
            }
        }
        _ => None,
    }
}
