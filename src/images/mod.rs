//! Registered pictures: what `POST /v1/images`, `POST /v1/images/search`, `/register` and
//! `/search` share. The fingerprint algorithms are in [`crate::fingerprint`]; this module holds
//! the service's side of them: the decode budget, the search index kept in memory (loaded at
//! start, updated on every registration) and the committed metadata. The operations that use
//! them (register, search, original) are in [`crate::service::images`].
//!
//! - [`analyse`]: an upload → format, size, fingerprints, thumbnail, capture time.
//! - [`exif`]: the capture time, the only thing read from EXIF.
//! - [`metadata`]: the metadata object an image record commits to.
//! - [`queue`]: the bounded, fair queue decodes wait in; [`pool`]: the threads they run on.

pub mod analyse;
pub mod exif;
pub mod metadata;
pub mod pool;
pub mod queue;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::fingerprint::index::{Index, Match};
use crate::fingerprint::pdq::Pdq;
use crate::metrics::{Metrics, StepLabel};
use crate::store::Store;
use analyse::Analyser;

/// The shared image service: one per process.
#[derive(Clone)]
pub struct Images {
    pub analyser: Analyser,
    index: Arc<RwLock<Index>>,
    metrics: Option<Arc<Metrics>>,
}

impl Images {
    /// Loads every stored fingerprint into a new index; pictures are decoded by `analyser`.
    pub async fn load(store: &Store, analyser: Analyser) -> anyhow::Result<Self> {
        let mut index = Index::new();
        store.for_each_image_fingerprints(|seq, hashes| index.add(seq, hashes)).await?;
        tracing::info!(fingerprints = index.len(), mib = index.memory_bytes() >> 20, "image fingerprint index loaded");
        Ok(Self { analyser, index: Arc::new(RwLock::new(index)), metrics: None })
    }

    /// Records the registration steps' times in `metrics`.
    pub fn with_metrics(self, metrics: Arc<Metrics>) -> Self {
        Self { metrics: Some(metrics), ..self }
    }

    /// Counts `took` as one `step` of a registration.
    pub fn observe(&self, step: &str, took: Duration) {
        if let Some(m) = &self.metrics {
            m.image_step_seconds.get_or_create(&StepLabel { step: step.to_owned() }).observe(took.as_secs_f64());
        }
    }

    /// Makes a committed registration searchable. The write lock waits for searches in flight:
    /// on the blocking pool, not on an async worker.
    pub async fn add(&self, seq: u64, fingerprints: Vec<Pdq>) {
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || index.write().expect("index lock").add(seq, &fingerprints))
            .await
            .expect("adding to the index does not panic");
    }

    /// Stored fingerprints in the index.
    pub fn len(&self) -> usize {
        self.index.read().expect("index lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records with a fingerprint within `threshold` of the query's, earliest first. The scan
    /// uses every core: it runs on the blocking pool.
    pub async fn nearest(&self, query: Vec<Pdq>, threshold: u32) -> Vec<Match> {
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || index.read().expect("index lock").search(&query, threshold))
            .await
            .expect("the index search does not panic")
    }
}
