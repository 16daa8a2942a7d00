//! Registered pictures as operations, each written once for the API and the pages:
//! [`register()`] (a merchant's picture becomes an `image` record committing to its
//! fingerprints), [`search()`] (who registered this picture or a copy first) and
//! [`original()`] (the owner fetches the file back). The decode budget, the fingerprint index
//! and the committed metadata are in [`crate::images`].

mod input;
mod original;
mod register;
mod search;

pub use input::{InputError, MAX_NAME_CHARS, MAX_TEXT_CHARS, TextField, flag, text};
pub use original::{Original, OriginalError, original};
pub use register::{RegisterError, Registration, may_register, register};
pub use search::{ImageMatch, MAX_MATCHES, MatchWitness, SearchError, SearchResult, search};

use crate::fingerprint::decode::DecodeError;

/// Media types of the pictures accepted.
pub const ACCEPTED: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// An upload that is not a usable picture.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    /// Zero bytes were sent.
    #[error("the file is empty")]
    Empty,
    /// The bytes are not JPEG, PNG or WebP (`detail` names what they are).
    #[error("{detail}")]
    NotAPicture { detail: String },
    /// The picture has more pixels than `max_pixels`, or decoding it would need more memory
    /// than that many pixels allow.
    #[error("{detail}")]
    TooManyPixels { max_pixels: u64, detail: String },
    /// The bytes start like an accepted format but do not decode (truncated, damaged).
    #[error("{detail}")]
    Corrupt { detail: String },
}

impl From<DecodeError> for PictureError {
    fn from(e: DecodeError) -> Self {
        let detail = e.to_string();
        match e {
            DecodeError::Empty => Self::Empty,
            DecodeError::Unsupported { .. } => Self::NotAPicture { detail },
            DecodeError::TooLarge { max_pixels, .. } => Self::TooManyPixels { max_pixels, detail },
            DecodeError::Corrupt { .. } => Self::Corrupt { detail },
        }
    }
}
