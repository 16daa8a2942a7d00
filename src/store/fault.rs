//! Storage faults, whichever implementation raised them: an error that means the storage cannot
//! be used right now (a lost connection, a locked or full database) is answered `503
//! storage_unavailable` with `Retry-After`, not `500`.

use super::{postgres, sqlite};

/// A storage fault passed on as text (the group-commit writer answers every request of a
/// failed group with it), still recognised as one.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(pub String);

/// Whether `e` (anywhere in its chain of causes) is a storage fault a later try may not meet.
pub fn is_unavailable(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.is::<Unavailable>() || sqlite::faults::unavailable(cause) || postgres::faults::unavailable(cause)
    })
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::is_unavailable;

    fn wrapped(e: sqlx::Error) -> anyhow::Error {
        Err::<(), _>(e).context("reading the record").context("GET /v1/evidence").unwrap_err()
    }

    #[test]
    fn lost_connections_and_pool_timeouts_anywhere_in_the_chain_are_unavailable() {
        assert!(is_unavailable(&wrapped(sqlx::Error::PoolTimedOut)));
        assert!(is_unavailable(&wrapped(sqlx::Error::PoolClosed)));
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        assert!(is_unavailable(&wrapped(sqlx::Error::Io(refused))));
        assert!(is_unavailable(&wrapped(sqlx::Error::Protocol("unexpected end of stream".into()))));
    }

    #[test]
    fn bugs_and_missing_rows_are_not() {
        assert!(!is_unavailable(&wrapped(sqlx::Error::RowNotFound)));
        assert!(!is_unavailable(&wrapped(sqlx::Error::ColumnNotFound("seq".into()))));
        assert!(!is_unavailable(&anyhow::anyhow!("record 7 is missing")));
    }
}
