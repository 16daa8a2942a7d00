//! One uploaded picture, decoded once: its size and format, fingerprints, thumbnail and capture
//! time. Decoding is CPU work on the blocking pool, admitted by the fair decode queue
//! ([`super::queue`]): the header is read first (refusals before any pixel is decoded), then the
//! job waits for a decoder, its client's share and the memory its pixels will take from the one
//! budget. Anonymous search queries over `max_search_pixels` are scaled down to it.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use image::ImageFormat;

use super::exif::capture_time;
use super::pool::Pool;
use super::queue::{Queue, QueueLimits, Refused};
use crate::domain::TenantId;
use crate::fingerprint::decode::{DecodeError, Header, decode_scaled, header};
use crate::fingerprint::set::{Fingerprints, for_query, for_registration};
use crate::fingerprint::thumbnail::thumbnail_jpeg;

/// Memory all decodes in flight may use together, in MiB (see [`Analyser::analyse`] for what a
/// decode counts). A picture needing more (up to the 100-megapixel limit's 400 MB, doubled)
/// waits to be decoded alone.
pub const DECODE_BUDGET_MIB: u32 = 320;

/// Default of `max_search_pixels`: anonymous queries are scaled down to 16 megapixels.
pub const MAX_SEARCH_PIXELS: u64 = 16_000_000;

/// Whose decode it is, for the queue's fairness: a tenant, or the address of an anonymous
/// client (an IPv6 client by its /64 prefix, as the rate limits count it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    Tenant(TenantId),
    Address(IpAddr),
}

/// The decode queue, keyed by client.
pub type DecodeQueue = Queue<Client>;

/// The queue's sizes on this machine: a decoder per core (at least two) and the budget.
pub fn default_queue() -> DecodeQueue {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    Queue::new(QueueLimits::for_cores(cores, DECODE_BUDGET_MIB))
}

/// What a registration keeps of a picture.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub format: ImageFormat,
    /// The size analysed (a scaled-down query's, not its original's).
    pub width: u32,
    pub height: u32,
    pub fingerprints: Fingerprints,
    /// Only for registrations.
    pub thumbnail: Option<Vec<u8>>,
    /// EXIF capture time (registrations only).
    pub captured: Option<String>,
    /// How long each step took: `queue`, `decode`, `fingerprints`, `thumbnail`.
    pub steps: Vec<(&'static str, Duration)>,
}

/// Registration keeps fingerprints of nested crops and a thumbnail; a search query only needs
/// its own few fingerprints (from a copy of at most `max_search_pixels`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Registration,
    Query,
}

/// Why a picture was not analysed.
#[derive(Debug, thiserror::Error)]
pub enum AnalyseError {
    /// The bytes are not a picture that may be decoded.
    #[error(transparent)]
    Picture(#[from] DecodeError),
    /// The decode queue refused the job: the client's waiting allowance or the queue is full.
    #[error(transparent)]
    Busy(#[from] Refused),
}

/// Decodes uploads within the pixel limit, through the fair queue and its memory budget.
#[derive(Debug, Clone)]
pub struct Analyser {
    queue: DecodeQueue,
    /// As many threads as the queue has decoders.
    pool: Pool,
    max_pixels: u64,
    max_search_pixels: u64,
}

impl Analyser {
    /// `queue`: the one to share (a test's), else [`default_queue`].
    pub fn new(max_pixels: u64, max_search_pixels: u64, queue: Option<DecodeQueue>) -> Self {
        let queue = queue.unwrap_or_else(default_queue);
        let pool = Pool::new(queue.limits().decoders);
        Self { queue, pool, max_pixels, max_search_pixels }
    }

    /// Analyses `bytes` for `client`; the memory it waits for is [`cost_mib`].
    pub async fn analyse(&self, bytes: Vec<u8>, purpose: Purpose, client: Client) -> Result<Analysis, AnalyseError> {
        let max_pixels = self.max_pixels;
        let max_out = match purpose {
            Purpose::Registration => u64::MAX,
            Purpose::Query => self.max_search_pixels,
        };
        // Reading the header (and a JPEG's end marker) scans the file: not on an async worker.
        let (bytes, header) = tokio::task::spawn_blocking(move || {
            let header = header(&bytes, max_pixels);
            (bytes, header)
        })
        .await
        .expect("reading a header does not panic");
        let mib = cost_mib(&header?, max_out, bytes.len());
        let queued = Instant::now();
        let permit = self.queue.admit(client, mib)?.await;
        let waited = queued.elapsed();
        let mut analysis = self
            .pool
            .run(move || {
                let _permit = permit;
                analyse_now(&bytes, max_pixels, max_out, purpose)
            })
            .await?;
        analysis.steps.insert(0, ("queue", waited));
        Ok(analysis)
    }
}

/// The memory (MiB, rounded up) a decode of a picture with `header` takes, scaled down to
/// `max_out` pixels: the decoded pixels, one working copy of what is fingerprinted (when the
/// picture is scaled down, that copy is small but a second buffer: the scaled copy and its
/// working copy), and the file of `file_bytes` itself.
pub fn cost_mib(header: &Header, max_out: u64, file_bytes: usize) -> u32 {
    let pixels = u64::from(header.width) * u64::from(header.height);
    let (w, h) = header.scaled(max_out);
    let scaled = header.bytes / pixels.max(1) * u64::from(w) * u64::from(h);
    let copies = if scaled < header.bytes { 2 * scaled } else { scaled };
    let needed = header.bytes.saturating_add(copies).saturating_add(file_bytes as u64);
    needed.div_ceil(1 << 20).min(u64::from(u32::MAX)) as u32
}

fn analyse_now(bytes: &[u8], max_pixels: u64, max_out: u64, purpose: Purpose) -> Result<Analysis, DecodeError> {
    let mut steps = Vec::with_capacity(4);
    let mut timed = |step: &'static str, started: Instant| steps.push((step, started.elapsed()));
    let started = Instant::now();
    let decoded = decode_scaled(bytes, max_pixels, max_out)?;
    timed("decode", started);
    let image = &decoded.image;
    let started = Instant::now();
    let fingerprints = match purpose {
        Purpose::Registration => for_registration(image),
        Purpose::Query => for_query(image),
    };
    timed("fingerprints", started);
    let (thumbnail, captured) = match purpose {
        Purpose::Registration => {
            let started = Instant::now();
            let thumbnail = thumbnail_jpeg(image);
            timed("thumbnail", started);
            (Some(thumbnail), decoded.exif.as_deref().and_then(capture_time))
        }
        Purpose::Query => (None, None),
    };
    let (width, height) = (image.width(), image.height());
    Ok(Analysis { format: decoded.format, width, height, fingerprints, thumbnail, captured, steps })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_scaled_down_costs_its_small_copies_not_a_second_full_one() {
        // A 10,000 × 10,000 grey bomb: 100 MB decoded (95.4 MiB), a 300 KiB file.
        let bomb = Header { width: 10_000, height: 10_000, bytes: 100_000_000 };
        // Registered: the pixels twice and the file.
        assert_eq!(cost_mib(&bomb, u64::MAX, 300 << 10), (200_000_000u64 + (300 << 10)).div_ceil(1 << 20) as u32);
        // Searched with the default 16 MP: the pixels once, two 16 MB copies and the file.
        assert_eq!(
            cost_mib(&bomb, MAX_SEARCH_PIXELS, 300 << 10),
            (132_000_000u64 + (300 << 10)).div_ceil(1 << 20) as u32
        );
        // A query already within the setting costs what a registration does.
        let photo = Header { width: 4000, height: 3000, bytes: 36_000_000 };
        assert_eq!(cost_mib(&photo, MAX_SEARCH_PIXELS, 1), cost_mib(&photo, u64::MAX, 1));
    }
}
