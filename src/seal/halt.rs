//! Keeps the node's view of the fork halt in step with the database, which holds it across
//! restarts and for every node: a halt a cosigner on any node recorded is adopted, one the
//! operator lifted (`notarium admin log resume`) is dropped, within one poll.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{MissedTickBehavior, interval};

use super::status::SharedStatus;
use crate::store::{LogHalt, Store};

/// How often the database is asked.
pub const POLL: Duration = Duration::from_secs(1);

/// Polls the halt every `every` until `stop` turns true.
pub async fn follow(store: Store, status: SharedStatus, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut tick = interval(every);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        let recorded = status.lock().expect("status lock").halts_recorded;
        match store.log_halt().await {
            Ok(stored) => {
                failing = false;
                adopt(&status, stored, recorded);
            }
            Err(e) if !failing => {
                failing = true;
                tracing::warn!("reading the fork halt (the last one read stays in force): {e:#}");
            }
            Err(_) => {}
        }
    }
}

/// Takes `stored` as the halt in force, except that a halt a cosigner of this node recorded
/// since the read began (`recorded` halts before it) stays: the read may have come before it.
fn adopt(status: &SharedStatus, stored: Option<LogHalt>, recorded: u64) {
    let mut s = status.lock().expect("status lock");
    match stored {
        Some(halt) => {
            if s.fork.is_none() {
                tracing::error!("the log is halted: {halt}");
            }
            s.fork = Some(halt);
        }
        None if s.halts_recorded != recorded => {}
        None => {
            if let Some(lifted) = s.fork.take() {
                tracing::warn!("the log was resumed; lifted: {lifted}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Timestamp;

    fn halt() -> LogHalt {
        let halted = Timestamp::now();
        LogHalt { reason: "another hash at 3".into(), witness: "court".parse().unwrap(), height: Some(3), halted }
    }

    #[test]
    fn a_stored_halt_is_adopted_and_a_lifted_one_dropped() {
        let status = SharedStatus::default();
        let stored = halt();
        adopt(&status, Some(stored.clone()), 0);
        assert_eq!(status.lock().unwrap().fork, Some(stored));
        adopt(&status, None, 0);
        assert_eq!(status.lock().unwrap().fork, None);
    }

    #[test]
    fn a_halt_recorded_after_the_read_began_is_kept_until_its_row_is_read() {
        let status = SharedStatus::default();
        let recorded = halt();
        {
            let mut s = status.lock().unwrap();
            s.fork = Some(recorded.clone());
            s.halts_recorded = 1;
        }
        adopt(&status, None, 0);
        assert_eq!(status.lock().unwrap().fork, Some(recorded.clone()));
        adopt(&status, None, 1);
        assert_eq!(status.lock().unwrap().fork, None);
    }
}
