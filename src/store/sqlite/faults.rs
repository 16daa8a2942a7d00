//! Which SQLite failures mean "the storage cannot be used right now" rather than a bug.

/// The database is locked past the busy timeout, an I/O error, a full disk, or a connection
/// that could not be opened or was closed: a later try may succeed.
pub fn unavailable(cause: &(dyn std::error::Error + 'static)) -> bool {
    let Some(e) = cause.downcast_ref::<sqlx::Error>() else { return false };
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        // Primary result codes: SQLITE_BUSY 5, SQLITE_LOCKED 6, SQLITE_IOERR 10,
        // SQLITE_FULL 13, SQLITE_CANTOPEN 14 (extended codes keep the primary in the low byte).
        sqlx::Error::Database(db) if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() => db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| matches!(code & 0xff, 5 | 6 | 10 | 13 | 14)),
        _ => false,
    }
}
