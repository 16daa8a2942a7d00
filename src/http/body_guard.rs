//! Every request body is read through a guard, whichever reader takes it (JSON, multipart,
//! the pages' forms), and whatever its transfer encoding:
//!
//! - a minimum rate: by `request_body_timeout_ms` after the request began, plus one second per
//!   `min_request_bytes_per_second` bytes read, the body must have arrived; else the read
//!   fails and the request is answered `408 request_timeout` (so one byte a second cannot hold
//!   a connection for ever). With no minimum rate, `request_body_timeout_ms` is the longest
//!   wait for the next bytes.
//! - the byte quota: bytes read beyond the `Content-Length` already charged (all of a chunked
//!   body) are charged as they arrive; over the quota the read fails and the request is
//!   answered `429 rate_limited` with `Retry-After`.
//!
//! A reader sees only a failed read (and answers `400`); the middleware that installs the
//! guard (`limits`) replaces that answer by the guard's, so every route answers the same.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::time::{Instant, Sleep};

/// The minimum rate of request bodies (settings `request_body_timeout_ms`,
/// `min_request_bytes_per_second`).
#[derive(Debug, Clone, Copy)]
pub struct BodyPace {
    pub timeout: Duration,
    pub min_bytes_per_second: u64,
}

/// Charges `n` more bytes to the caller's byte quota: `Err(wait)` when over it.
pub type Charge = Box<dyn Fn(u64) -> Result<(), Duration>>;

/// Why a body read was cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// The body came slower than the minimum rate.
    TooSlow,
    /// The bytes read passed the caller's byte quota; retry after this long.
    OverQuota(Duration),
}

/// The cell where the guard of a request records why it cut the body.
pub type CutCell = Rc<Cell<Option<Cut>>>;

/// The bytes of the request's body read so far beyond those charged before the handler ran
/// (in the request's extensions): what a handler that authenticates its caller itself (a
/// page's session) charges to the caller's byte quota once it has read the body.
#[derive(Clone, Default)]
pub struct Unpaid(Rc<Cell<u64>>);

impl Unpaid {
    pub fn bytes(&self) -> u64 {
        self.0.get()
    }
}

/// Replaces the request's payload by a guarded one; `prepaid` bytes were already charged.
pub fn guard(req: &mut ServiceRequest, pace: BodyPace, prepaid: u64, charge: Option<Charge>) -> CutCell {
    let cut = CutCell::default();
    let unpaid = Unpaid::default();
    req.extensions_mut().insert(unpaid.clone());
    let started = Instant::now();
    let inner = req.take_payload();
    let guarded = Guarded {
        inner,
        pace,
        started,
        read: 0,
        prepaid,
        deadline: Box::pin(tokio::time::sleep_until(started + pace.timeout)),
        charge,
        cut: cut.clone(),
        unpaid,
    };
    req.set_payload(Payload::Stream { payload: Box::pin(guarded) });
    cut
}

struct Guarded {
    inner: Payload,
    pace: BodyPace,
    started: Instant,
    read: u64,
    prepaid: u64,
    deadline: Pin<Box<Sleep>>,
    charge: Option<Charge>,
    cut: CutCell,
    unpaid: Unpaid,
}

impl Guarded {
    fn fail(&mut self, cut: Cut) -> Poll<Option<Result<Bytes, PayloadError>>> {
        self.cut.set(Some(cut));
        let error = match cut {
            Cut::TooSlow => std::io::Error::from(std::io::ErrorKind::TimedOut),
            Cut::OverQuota(_) => std::io::Error::other("over the byte quota"),
        };
        Poll::Ready(Some(Err(PayloadError::Io(error))))
    }

    /// Counts a chunk: charges what passes the prepaid bytes, and moves the deadline.
    fn count(&mut self, len: u64) -> Result<(), Cut> {
        let before = self.read;
        self.read += len;
        let unpaid = self.read.saturating_sub(before.max(self.prepaid));
        self.unpaid.0.set(self.read.saturating_sub(self.prepaid));
        if let (Some(charge), true) = (&self.charge, unpaid > 0) {
            charge(unpaid).map_err(Cut::OverQuota)?;
        }
        let deadline = match self.pace.min_bytes_per_second {
            0 => Instant::now() + self.pace.timeout,
            rate => self.started + self.pace.timeout + Duration::from_secs_f64(self.read as f64 / rate as f64),
        };
        self.deadline.as_mut().reset(deadline);
        Ok(())
    }
}

impl Stream for Guarded {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(cut) = self.cut.get() {
            return self.fail(cut);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => match self.count(chunk.len() as u64) {
                Ok(()) => Poll::Ready(Some(Ok(chunk))),
                Err(cut) => self.fail(cut),
            },
            Poll::Ready(other) => Poll::Ready(other),
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => self.fail(Cut::TooSlow),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}
