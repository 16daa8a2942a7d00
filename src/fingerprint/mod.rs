//! Image fingerprints for "who registered this picture first": decoding untrusted uploads,
//! PDQ perceptual hashes, the set of fingerprints kept per registered image, the in-memory
//! index searched by Hamming distance, and thumbnails.
//!
//! - [`decode`]: untrusted bytes → pixels, JPEG / PNG / WebP only, size limits read from the
//!   header before any pixel is decoded.
//! - [`pdq`]: Meta's PDQ hash (256 bits) and its quality score.
//! - [`set`]: the fingerprints stored per registered image and computed per query, the
//!   algorithm version and the match threshold.
//! - [`index`]: the in-memory index: flat arrays scanned with popcount on every core.
//! - [`thumbnail`]: the small JPEG shown for public registrations.

pub mod decode;
pub mod index;
pub mod pdq;
pub mod set;
pub mod thumbnail;
