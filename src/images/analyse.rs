//! One uploaded picture, decoded once: its size and format, fingerprints, thumbnail and capture
//! time. Decoding is CPU work on the blocking pool and memory bounded across requests: each
//! decode first reserves, from one shared budget, what its header says the pixels will take.

use std::sync::Arc;
use std::time::{Duration, Instant};

use image::ImageFormat;
use tokio::sync::Semaphore;

use super::exif::capture_time;
use crate::fingerprint::decode::{DecodeError, decode_with_limit, memory_needed};
use crate::fingerprint::set::{Fingerprints, for_query, for_registration};
use crate::fingerprint::thumbnail::thumbnail_jpeg;

/// Memory all decodes in flight may use together, in MiB: twice the decoded pixels plus the
/// file. A picture needing more (up to the 100-megapixel limit's 400 MB, doubled) waits to be
/// decoded alone.
pub const DECODE_BUDGET_MIB: u32 = 320;

/// What a registration keeps of a picture.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    pub fingerprints: Fingerprints,
    /// Only for registrations.
    pub thumbnail: Option<Vec<u8>>,
    /// EXIF capture time (registrations only).
    pub captured: Option<String>,
    /// How long each step took: `decode`, `fingerprints`, `thumbnail`.
    pub steps: Vec<(&'static str, Duration)>,
}

/// Registration keeps fingerprints of nested crops and a thumbnail; a search query only needs
/// its own few fingerprints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Registration,
    Query,
}

/// Decodes uploads within the pixel limit and the shared memory budget.
#[derive(Debug, Clone)]
pub struct Analyser {
    budget: Arc<Semaphore>,
    max_pixels: u64,
}

impl Analyser {
    pub fn new(max_pixels: u64) -> Self {
        Self { budget: Arc::new(Semaphore::new(DECODE_BUDGET_MIB as usize)), max_pixels }
    }

    pub async fn analyse(&self, bytes: Vec<u8>, purpose: Purpose) -> Result<Analysis, DecodeError> {
        let max_pixels = self.max_pixels;
        // Reading the header (and a JPEG's end marker) scans the file: not on an async worker.
        let (bytes, needed) = tokio::task::spawn_blocking(move || {
            let needed = memory_needed(&bytes, max_pixels);
            (bytes, needed)
        })
        .await
        .expect("reading a header does not panic");
        // The pixels twice (the decoded picture and its working copies), and the file itself.
        let needed = needed?.saturating_mul(2).saturating_add(bytes.len() as u64);
        let mib = needed.div_ceil(1 << 20).clamp(1, u64::from(DECODE_BUDGET_MIB)) as u32;
        let permit = self.budget.clone().acquire_many_owned(mib).await.expect("the budget is never closed");
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            analyse_now(&bytes, max_pixels, purpose)
        })
        .await
        .expect("image analysis does not panic")
    }
}

fn analyse_now(bytes: &[u8], max_pixels: u64, purpose: Purpose) -> Result<Analysis, DecodeError> {
    let mut steps = Vec::with_capacity(3);
    let mut timed = |step: &'static str, started: Instant| steps.push((step, started.elapsed()));
    let started = Instant::now();
    let decoded = decode_with_limit(bytes, max_pixels)?;
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
