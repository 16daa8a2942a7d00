//! Registered images: the row each image registration adds beside its evidence record (written
//! by the evidence writer in the same transaction), and the reads search and pages make.

use async_trait::async_trait;

use crate::domain::Hash;
use crate::fingerprint::pdq::Pdq;

/// What an image registration stores beside its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImage {
    pub public: bool,
    /// Indexed for search; empty when the picture is too flat (found by content hash only).
    pub fingerprints: Vec<Pdq>,
    /// JPEG, at most 320 px a side.
    pub thumbnail: Vec<u8>,
}

/// A registered image as the public pages need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRow {
    pub seq: u64,
    pub public: bool,
}

#[async_trait]
pub trait ImageStore: Send + Sync {
    /// Every stored fingerprint, record by record, in arrival order: the search index's source
    /// (callers use [`super::Store::for_each_image_fingerprints`], which takes any closure).
    async fn image_fingerprints(&self, each: &mut (dyn for<'p> FnMut(u64, &'p [Pdq]) + Send)) -> anyhow::Result<()>;

    /// The sequence numbers of images registered with exactly this content, earliest first.
    async fn images_with_content(&self, hash: &Hash, limit: u32) -> anyhow::Result<Vec<u64>>;

    /// The image row of record `seq`, if it is a registered image.
    async fn image(&self, seq: u64) -> anyhow::Result<Option<ImageRow>>;

    /// The image rows of those of `seqs` that are registered images, in `seq` order: one
    /// statement for a page of records.
    async fn images(&self, seqs: &[u64]) -> anyhow::Result<Vec<ImageRow>>;

    /// The thumbnail of record `seq`.
    async fn image_thumbnail(&self, seq: u64) -> anyhow::Result<Option<Vec<u8>>>;
}
