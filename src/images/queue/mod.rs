//! A bounded, fair queue in front of picture decoding (pure logic: no I/O, no web framework).
//!
//! A job asks for a decoder and for its memory cost (MiB of the one decode budget). It starts
//! when a decoder is free, its client runs fewer than its share of decoders, and its cost fits
//! the memory left. Clients waiting take turns (round robin): the client served goes to the back
//! of the line; a client at its share keeps its place and is skipped until one of its own jobs
//! ends. The turn's job waits for memory without being overtaken, so a large picture is not
//! starved by small ones. At most `waiting` jobs wait in all and `waiting_per_client` per client;
//! beyond, the job is [`Refused`] at once.
//!
//! Cancellation: dropping an [`Admission`] (a client that went away) takes its job out of the
//! line, or gives back what it had just been granted; dropping a [`Permit`] ends the job.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// The queue's sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueLimits {
    /// Decodes running at once, across clients.
    pub decoders: usize,
    /// Decodes running at once for one client (its share).
    pub per_client: usize,
    /// Jobs waiting, across clients.
    pub waiting: usize,
    /// Jobs waiting for one client.
    pub waiting_per_client: usize,
    /// Memory the running decodes share, in MiB; a job costing more is counted as the whole
    /// budget (it then runs alone).
    pub budget_mib: u32,
}

impl QueueLimits {
    /// For a machine with `cores`: a decoder per core (at least two, so one client's
    /// decode never stops all others), half of them per client, four jobs waiting per client
    /// and eight per decoder in all.
    pub fn for_cores(cores: usize, budget_mib: u32) -> Self {
        let decoders = cores.max(2);
        Self { decoders, per_client: decoders / 2, waiting: 8 * decoders, waiting_per_client: 4, budget_mib }
    }
}

/// Why a job was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The client already has as many pictures waiting as one client may (`waiting_per_client`).
    #[error("too many of your pictures are waiting to be decoded; retry when one is done")]
    ClientBusy,
    /// As many pictures as the queue holds are waiting, from all clients (`waiting`).
    #[error("the picture decoding queue is full; retry shortly")]
    Full,
}

/// The queue; clones share it.
pub struct Queue<K> {
    shared: Arc<Mutex<State<K>>>,
}

impl<K> Clone for Queue<K> {
    fn clone(&self) -> Self {
        Self { shared: self.shared.clone() }
    }
}

impl<K> std::fmt::Debug for Queue<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("Queue")
            .field("limits", &s.limits)
            .field("running", &s.running)
            .field("waiting", &s.waiting)
            .finish()
    }
}

struct State<K> {
    limits: QueueLimits,
    running: usize,
    free_mib: u32,
    waiting: usize,
    clients: HashMap<K, Client>,
    /// Clients with jobs waiting, in turn order.
    turns: VecDeque<K>,
    slots: HashMap<u64, Slot>,
    next_id: u64,
}

#[derive(Default)]
struct Client {
    running: usize,
    /// Waiting jobs: id and cost.
    line: VecDeque<(u64, u32)>,
}

enum Slot {
    Waiting(Option<Waker>),
    Granted,
}

impl<K: Eq + Hash + Clone> Queue<K> {
    pub fn new(limits: QueueLimits) -> Self {
        let limits = QueueLimits {
            decoders: limits.decoders.max(1),
            per_client: limits.per_client.max(1),
            budget_mib: limits.budget_mib.max(1),
            ..limits
        };
        let state = State {
            limits,
            running: 0,
            free_mib: limits.budget_mib,
            waiting: 0,
            clients: HashMap::new(),
            turns: VecDeque::new(),
            slots: HashMap::new(),
            next_id: 0,
        };
        Self { shared: Arc::new(Mutex::new(state)) }
    }

    /// Queues a job of `client` costing `cost_mib`; await the admission for its permit. It
    /// starts at once when nothing waits for what it needs.
    pub fn admit(&self, client: K, cost_mib: u32) -> Result<Admission<K>, Refused> {
        let mut s = self.lock();
        let cost = cost_mib.clamp(1, s.limits.budget_mib);
        let id = s.next_id;
        s.next_id += 1;
        let per_client = s.limits.per_client;
        // Nobody waiting could take what this job needs: every waiting client is at its share.
        let nobody_ahead = s.turns.iter().all(|k| s.clients[k].running >= per_client);
        let own = s.clients.get(&client);
        let running = own.map_or(0, |c| c.running);
        if nobody_ahead && s.running < s.limits.decoders && running < per_client && cost <= s.free_mib {
            s.start(&client, cost);
            s.slots.insert(id, Slot::Granted);
        } else {
            if own.map_or(0, |c| c.line.len()) >= s.limits.waiting_per_client {
                return Err(Refused::ClientBusy);
            }
            if s.waiting >= s.limits.waiting {
                return Err(Refused::Full);
            }
            let c = s.clients.entry(client.clone()).or_default();
            c.line.push_back((id, cost));
            if c.line.len() == 1 {
                s.turns.push_back(client.clone());
            }
            s.waiting += 1;
            s.slots.insert(id, Slot::Waiting(None));
            let woken = s.dispatch();
            drop(s);
            woken.into_iter().for_each(Waker::wake);
        }
        Ok(Admission { queue: self.clone(), client: Some(client), id, cost })
    }

    /// The queue's sizes.
    pub fn limits(&self) -> QueueLimits {
        self.lock().limits
    }

    /// Decodes running for `client`.
    pub fn running(&self, client: &K) -> usize {
        self.lock().clients.get(client).map_or(0, |c| c.running)
    }

    /// Jobs waiting for `client`.
    pub fn waiting(&self, client: &K) -> usize {
        self.lock().clients.get(client).map_or(0, |c| c.line.len())
    }

    /// Decodes running, jobs waiting and MiB of the budget free, across clients.
    pub fn totals(&self) -> (usize, usize, u32) {
        let s = self.lock();
        (s.running, s.waiting, s.free_mib)
    }

    fn release(&self, client: &K, cost: u32) {
        let mut s = self.lock();
        s.finish(client, cost);
        let woken = s.dispatch();
        drop(s);
        woken.into_iter().for_each(Waker::wake);
    }
}

impl<K> Queue<K> {
    fn lock(&self) -> MutexGuard<'_, State<K>> {
        // The state is consistent between statements that cannot panic: a poisoned lock's
        // state is still usable.
        self.shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<K: Eq + Hash + Clone> State<K> {
    fn start(&mut self, client: &K, cost: u32) {
        self.clients.entry(client.clone()).or_default().running += 1;
        self.running += 1;
        self.free_mib -= cost;
    }

    fn finish(&mut self, client: &K, cost: u32) {
        self.running -= 1;
        self.free_mib += cost;
        if let Some(c) = self.clients.get_mut(client) {
            c.running -= 1;
        }
        self.forget_if_idle(client);
    }

    fn forget_if_idle(&mut self, client: &K) {
        if self.clients.get(client).is_some_and(|c| c.running == 0 && c.line.is_empty()) {
            self.clients.remove(client);
        }
    }

    /// Starts waiting jobs, in turn, while a decoder and the turn's memory are free; returns
    /// the wakers of the jobs started.
    fn dispatch(&mut self) -> Vec<Waker> {
        let mut woken = Vec::new();
        while self.running < self.limits.decoders {
            let per_client = self.limits.per_client;
            let Some(turn) = self.turns.iter().position(|k| self.clients[k].running < per_client) else {
                break;
            };
            let client = self.turns[turn].clone();
            let (id, cost) = *self.clients[&client].line.front().expect("a client in turn has a job waiting");
            if cost > self.free_mib {
                break;
            }
            self.turns.remove(turn);
            let c = self.clients.get_mut(&client).expect("a client in turn is known");
            c.line.pop_front();
            if !c.line.is_empty() {
                self.turns.push_back(client.clone());
            }
            self.waiting -= 1;
            self.start(&client, cost);
            if let Some(Slot::Waiting(waker)) = self.slots.insert(id, Slot::Granted) {
                woken.extend(waker);
            }
        }
        woken
    }

    /// Takes a waiting job out of the line.
    fn withdraw(&mut self, client: &K, id: u64) {
        let Some(c) = self.clients.get_mut(client) else { return };
        let Some(at) = c.line.iter().position(|(job, _)| *job == id) else { return };
        c.line.remove(at);
        if c.line.is_empty() {
            self.turns.retain(|k| k != client);
        }
        self.waiting -= 1;
        self.forget_if_idle(client);
    }
}

/// A queued job: resolves to its [`Permit`] when the job may start.
pub struct Admission<K: Eq + Hash + Clone> {
    queue: Queue<K>,
    /// Taken by the permit.
    client: Option<K>,
    id: u64,
    cost: u32,
}

// Nothing of an admission is pinned: it may move between polls whatever the client key.
impl<K: Eq + Hash + Clone> Unpin for Admission<K> {}

impl<K: Eq + Hash + Clone> Future for Admission<K> {
    type Output = Permit<K>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit<K>> {
        let this = self.get_mut();
        let mut s = this.queue.lock();
        match s.slots.get_mut(&this.id) {
            Some(Slot::Waiting(waker)) => {
                *waker = Some(cx.waker().clone());
                Poll::Pending
            }
            Some(Slot::Granted) => {
                s.slots.remove(&this.id);
                drop(s);
                let client = this.client.take().expect("an admission resolves once");
                Poll::Ready(Permit { queue: this.queue.clone(), client, cost: this.cost })
            }
            None => panic!("an admission polled after it resolved"),
        }
    }
}

impl<K: Eq + Hash + Clone> Drop for Admission<K> {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else { return };
        let mut s = self.queue.lock();
        match s.slots.remove(&self.id) {
            Some(Slot::Waiting(_)) => {
                s.withdraw(&client, self.id);
                let woken = s.dispatch();
                drop(s);
                woken.into_iter().for_each(Waker::wake);
            }
            Some(Slot::Granted) => {
                drop(s);
                self.queue.release(&client, self.cost);
            }
            None => {}
        }
    }
}

/// A running job: a decoder and its memory, given back when dropped.
pub struct Permit<K: Eq + Hash + Clone> {
    queue: Queue<K>,
    client: K,
    cost: u32,
}

impl<K: Eq + Hash + Clone> Permit<K> {
    /// The MiB of the budget this job holds.
    pub fn cost_mib(&self) -> u32 {
        self.cost
    }
}

impl<K: Eq + Hash + Clone> Drop for Permit<K> {
    fn drop(&mut self) {
        self.queue.release(&self.client, self.cost);
    }
}

#[cfg(test)]
mod tests;
