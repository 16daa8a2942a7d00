//! The queue driven by hand: every admission is polled with a no-op waker, so what starts and
//! in which order depends only on the calls made, never on timing.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::*;

type Client = char;

fn limits(decoders: usize, per_client: usize, waiting: usize, waiting_per_client: usize) -> QueueLimits {
    QueueLimits { decoders, per_client, waiting, waiting_per_client, budget_mib: 100 }
}

/// Polls once: the permit if the job has started.
fn poll(admission: &mut Admission<Client>) -> Option<Permit<Client>> {
    match Pin::new(admission).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(permit) => Some(permit),
        Poll::Pending => None,
    }
}

fn started(queue: &Queue<Client>, client: Client, cost: u32) -> Permit<Client> {
    let mut admission = queue.admit(client, cost).expect("queued");
    poll(&mut admission).expect("started at once")
}

/// Jobs waiting, each with its client, in the order they were queued.
struct Line(Vec<(Client, Admission<Client>)>);

impl Line {
    fn queue(&mut self, queue: &Queue<Client>, client: Client, cost: u32) {
        let mut admission = queue.admit(client, cost).expect("queued");
        assert!(poll(&mut admission).is_none(), "{client}'s job waits");
        self.0.push((client, admission));
    }

    /// The jobs that have started since the last call, by client, with their permits.
    fn started(&mut self) -> Vec<(Client, Permit<Client>)> {
        let mut out = Vec::new();
        let mut still = Vec::new();
        for (client, mut admission) in self.0.drain(..) {
            match poll(&mut admission) {
                Some(permit) => out.push((client, permit)),
                None => still.push((client, admission)),
            }
        }
        self.0 = still;
        out
    }
}

#[test]
fn waiting_clients_take_turns() {
    let queue = Queue::new(limits(1, 1, 100, 100));
    let first = started(&queue, 'a', 1);
    let mut line = Line(Vec::new());
    for client in ['a', 'a', 'a', 'b', 'c', 'c'] {
        line.queue(&queue, client, 1);
    }
    let mut order = String::new();
    let mut running = Some(first);
    while let Some(permit) = running.take() {
        drop(permit);
        let mut now = line.started();
        assert!(now.len() <= 1, "one decoder");
        if let Some((client, permit)) = now.pop() {
            order.push(client);
            running = Some(permit);
        }
    }
    // `a` flooded first, yet `b` and `c` are served between its jobs.
    assert_eq!(order, "abcaca");
    assert_eq!(queue.totals(), (0, 0, 100));
}

#[test]
fn a_flooding_client_never_holds_more_than_its_share() {
    let queue = Queue::new(limits(4, 2, 100, 100));
    let mut line = Line(Vec::new());
    let mut held: Vec<(Client, Permit<Client>)> = Vec::new();
    for _ in 0..20 {
        match queue.admit('a', 1).map(|mut a| (poll(&mut a), a)) {
            Ok((Some(permit), _)) => held.push(('a', permit)),
            Ok((None, admission)) => line.0.push(('a', admission)),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((queue.running(&'a'), queue.waiting(&'a')), (2, 18));
    // Another client starts at once on a free decoder, behind a's eighteen waiting jobs.
    held.push(('b', started(&queue, 'b', 1)));
    held.push(('c', started(&queue, 'c', 1)));
    assert_eq!(queue.totals().0, 4);
    // Whatever ends, `a` never runs more than two.
    for _ in 0..40 {
        if held.is_empty() {
            break;
        }
        held.remove(0);
        held.extend(line.started());
        assert!(queue.running(&'a') <= 2, "a runs {}", queue.running(&'a'));
    }
    assert!(held.is_empty() && line.0.is_empty());
    assert_eq!(queue.totals(), (0, 0, 100));
}

#[test]
fn waiting_is_bounded_per_client_and_in_all() {
    let queue = Queue::new(limits(1, 1, 3, 2));
    let _running = started(&queue, 'a', 1);
    let mut line = Line(Vec::new());
    line.queue(&queue, 'a', 1);
    line.queue(&queue, 'a', 1);
    assert_eq!(queue.admit('a', 1).err(), Some(Refused::ClientBusy));
    line.queue(&queue, 'b', 1);
    // `b` waits once, within its own allowance, but the queue holds three in all.
    assert_eq!(queue.admit('b', 1).err(), Some(Refused::Full));
    assert_eq!(queue.admit('c', 1).err(), Some(Refused::Full));
    assert_eq!(queue.totals(), (1, 3, 99));
}

#[test]
fn a_client_with_no_waiting_allowance_runs_but_never_waits() {
    let queue = Queue::new(limits(2, 1, 10, 0));
    let running = started(&queue, 'a', 1);
    assert_eq!(queue.admit('a', 1).err(), Some(Refused::ClientBusy));
    let _other = started(&queue, 'b', 1);
    drop(running);
    let _again = started(&queue, 'a', 1);
}

#[test]
fn a_client_that_goes_away_gives_back_its_place_and_its_permit() {
    let queue = Queue::new(limits(1, 1, 10, 10));
    let running = started(&queue, 'a', 10);
    let mut line = Line(Vec::new());
    line.queue(&queue, 'b', 1);
    line.queue(&queue, 'c', 1);
    // `b` goes away while waiting: its place is freed, and `c` is next.
    let (_, b) = line.0.remove(0);
    drop(b);
    assert_eq!((queue.waiting(&'b'), queue.totals().1), (0, 1));
    drop(running);
    // `c` was granted the decoder but goes away before it is polled: nothing is leaked.
    let (_, c) = line.0.remove(0);
    assert_eq!(queue.totals(), (1, 0, 99));
    drop(c);
    assert_eq!(queue.totals(), (0, 0, 100));
    // A permit dropped (a decode ended or its request was dropped) gives everything back.
    let permit = started(&queue, 'd', 40);
    assert_eq!(queue.totals(), (1, 0, 60));
    drop(permit);
    assert_eq!(queue.totals(), (0, 0, 100));
}

#[test]
fn a_job_starts_only_when_its_memory_fits_and_is_not_overtaken() {
    let queue = Queue::new(QueueLimits { budget_mib: 10, ..limits(4, 4, 10, 10) });
    let big = started(&queue, 'a', 8);
    let mut line = Line(Vec::new());
    // A decoder is free but 5 MiB are not: `b` waits, and `c`'s small job waits behind it.
    line.queue(&queue, 'b', 5);
    line.queue(&queue, 'c', 1);
    assert!(line.started().is_empty());
    drop(big);
    let now: String = line.started().into_iter().map(|(client, _)| client).collect();
    assert_eq!(now, "bc");
    // A job costing more than the whole budget runs alone.
    let whole = started(&queue, 'd', 500);
    assert_eq!(whole.cost_mib(), 10);
    assert!(queue.admit('e', 1).map(|mut a| poll(&mut a).is_none()).unwrap());
}
