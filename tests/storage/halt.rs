//! The fork halt: one row shared by every store (node) on the database; the first halt is
//! kept, and lifting takes only the halt that was read.

use notarium::domain::Timestamp;
use notarium::store::LogHalt;

use crate::{Backend, on_both_backends};

on_both_backends!(the_first_halt_is_kept_for_every_node_until_it_is_lifted);

fn halt(witness: &str, height: Option<u64>) -> LogHalt {
    LogHalt {
        reason: format!("{witness} signed another header"),
        witness: witness.parse().unwrap(),
        height,
        halted: Timestamp::now(),
    }
}

async fn the_first_halt_is_kept_for_every_node_until_it_is_lifted(backend: Backend) {
    let (one, other) = (backend.open().await, backend.open().await);
    assert_eq!(one.log_halt().await.unwrap(), None);
    assert_eq!(one.clear_log_halt().await.unwrap(), None, "nothing to lift");

    let first = halt("court", Some(41));
    assert_eq!(one.record_log_halt(&first).await.unwrap(), first);
    assert_eq!(other.record_log_halt(&halt("notary", None)).await.unwrap(), first, "the first is kept");
    assert_eq!(other.log_halt().await.unwrap(), Some(first.clone()), "every node reads it");

    assert_eq!(other.clear_log_halt().await.unwrap(), Some(first));
    assert_eq!(one.log_halt().await.unwrap(), None);
    let again = halt("notary", None);
    assert_eq!(one.record_log_halt(&again).await.unwrap(), again, "a fork still there halts again");
}
