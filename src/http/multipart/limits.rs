//! Where uploads go and how large they may be, for every upload route.

use std::path::PathBuf;

use crate::store::blobs::Blobs;

/// Where uploads go and how large they may be.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_upload_bytes: u64,
    /// Largest picture to `/v1/images` and its search.
    pub max_image_bytes: u64,
    /// Temporary files, on the same file system as `blobs` (so keeping one is a rename).
    pub tmp_dir: PathBuf,
    /// Originals: `<blobs>/<tenant id>/<BLAKE3 hex>`.
    pub blobs: PathBuf,
}

impl Limits {
    /// The originals' directory.
    pub fn blobs(&self) -> Blobs {
        Blobs::new(self.blobs.clone(), self.tmp_dir.clone())
    }
}
