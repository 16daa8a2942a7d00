//! Which PostgreSQL failures mean "the storage cannot be used right now" rather than a bug.

use crate::store::fault_kind::Fault;

/// `53100 disk_full` is [`Fault::Full`]; a lost or refused connection, a server shutting down
/// or starting, exhausted resources, a read-only server is [`Fault::Unavailable`]: a later try
/// may succeed (on this node or after a failover).
pub fn fault(cause: &(dyn std::error::Error + 'static)) -> Option<Fault> {
    let e = cause.downcast_ref::<sqlx::Error>()?;
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            Some(Fault::Unavailable)
        }
        sqlx::Error::Protocol(_) => Some(Fault::Unavailable),
        sqlx::Error::Database(db) if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() => {
            // SQLSTATE classes: 08 connection exception, 53 insufficient resources (53100 disk
            // full), 57P0x operator intervention (shutdown, cannot connect now), 25006 read-only
            // transaction (a standby after failover).
            let code = db.code().unwrap_or_default();
            if code == "53100" {
                Some(Fault::Full)
            } else if code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") || code == "25006" {
                Some(Fault::Unavailable)
            } else {
                None
            }
        }
        _ => None,
    }
}
