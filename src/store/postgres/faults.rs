//! Which PostgreSQL failures mean "the storage cannot be used right now" rather than a bug.

/// A lost or refused connection, a server shutting down or starting, a full disk or exhausted
/// resources, a read-only server: a later try may succeed (on this node or after a failover).
pub fn unavailable(cause: &(dyn std::error::Error + 'static)) -> bool {
    let Some(e) = cause.downcast_ref::<sqlx::Error>() else { return false };
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() => {
            // SQLSTATE classes: 08 connection exception, 53 insufficient resources (53100 disk
            // full), 57P0x operator intervention (shutdown, cannot connect now), 25006 read-only
            // transaction (a standby after failover).
            let code = db.code().unwrap_or_default();
            code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") || code == "25006"
        }
        _ => false,
    }
}
