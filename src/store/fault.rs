//! Storage faults, whichever implementation raised them: an error that means the storage cannot
//! be used right now is answered `503` with `Retry-After`, not `500`: `storage_full` when there
//! is no space left, `storage_unavailable` for anything else (a lost connection, a locked or
//! failing database).

pub use super::fault_kind::Fault;
use super::{postgres, sqlite};

/// A storage fault passed on as text (the group-commit writer answers every request of a
/// failed group with it), still recognised as one of its kind.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Unavailable {
    pub fault: Fault,
    pub message: String,
}

/// Which storage fault `e` is (looking through its whole chain of causes; no space wins over
/// any other fault), or `None` when it is not one (a bug, a missing row).
pub fn fault_of(e: &anyhow::Error) -> Option<Fault> {
    let mut found = None;
    for cause in e.chain() {
        let fault = match cause.downcast_ref::<Unavailable>() {
            Some(passed_on) => Some(passed_on.fault),
            None => sqlite::faults::fault(cause).or_else(|| postgres::faults::fault(cause)).or_else(|| io_fault(cause)),
        };
        match fault {
            Some(Fault::Full) => return Some(Fault::Full),
            Some(other) => found = Some(other),
            None => {}
        }
    }
    found
}

/// Whether `e` (anywhere in its chain of causes) is a storage fault a later try may not meet.
pub fn is_unavailable(e: &anyhow::Error) -> bool {
    fault_of(e).is_some()
}

/// A file system without space (writing an upload or a blob).
fn io_fault(cause: &(dyn std::error::Error + 'static)) -> Option<Fault> {
    let io = cause.downcast_ref::<std::io::Error>()?;
    (io.kind() == std::io::ErrorKind::StorageFull).then_some(Fault::Full)
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::{Fault, Unavailable, fault_of, is_unavailable};

    fn wrapped(e: sqlx::Error) -> anyhow::Error {
        Err::<(), _>(e).context("reading the record").context("GET /v1/evidence").unwrap_err()
    }

    #[test]
    fn lost_connections_and_pool_timeouts_anywhere_in_the_chain_are_unavailable() {
        assert!(is_unavailable(&wrapped(sqlx::Error::PoolTimedOut)));
        assert!(is_unavailable(&wrapped(sqlx::Error::PoolClosed)));
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        assert_eq!(fault_of(&wrapped(sqlx::Error::Io(refused))), Some(Fault::Unavailable));
        assert!(is_unavailable(&wrapped(sqlx::Error::Protocol("unexpected end of stream".into()))));
    }

    #[test]
    fn no_space_is_full_whether_from_a_file_or_passed_on_by_the_writer() {
        let enospc = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert_eq!(fault_of(&Err::<(), _>(enospc).context("writing the blob").unwrap_err()), Some(Fault::Full));
        let passed = Unavailable { fault: Fault::Full, message: "database or disk is full".into() };
        assert_eq!(fault_of(&anyhow::Error::new(passed).context("POST /v1/evidence")), Some(Fault::Full));
        assert_eq!(Fault::Full.code(), "storage_full");
    }

    #[test]
    fn bugs_and_missing_rows_are_not() {
        assert!(!is_unavailable(&wrapped(sqlx::Error::RowNotFound)));
        assert!(!is_unavailable(&wrapped(sqlx::Error::ColumnNotFound("seq".into()))));
        assert!(!is_unavailable(&anyhow::anyhow!("record 7 is missing")));
    }
}
