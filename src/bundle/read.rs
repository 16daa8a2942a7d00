//! Reading a receipt from the bytes of a `.json` file or a `.zip` bundle.

use std::io::{Cursor, Read};

use super::{MAX_BUNDLE_BYTES, RECEIPT_IN_ZIP};
use crate::domain::receipt::MAX_RECEIPT_BYTES;
use crate::domain::{Receipt, ReceiptError};

/// Why a receipt file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("the file is larger than {MAX_BUNDLE_BYTES} bytes")]
    TooLarge,
    #[error("not a readable zip bundle: {0}")]
    Zip(String),
    #[error("the zip bundle holds two entries of one name, or a central directory that does not add up")]
    DuplicateEntry,
    #[error("the zip bundle holds no {RECEIPT_IN_ZIP}")]
    NoReceipt,
    #[error(transparent)]
    Receipt(#[from] ReceiptError),
}

/// Reads a receipt from the bytes of a `.json` file or a `.zip` bundle (told apart by content,
/// not by name).
pub fn read_receipt(bytes: &[u8]) -> Result<Receipt, BundleError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(Receipt::from_json(bytes)?);
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| BundleError::Zip(e.to_string()))?;
    // Two entries of one name would let an unzip tool show one receipt while we check another.
    if zip.has_duplicate_names() {
        return Err(BundleError::DuplicateEntry);
    }
    let entry = match zip.by_name(RECEIPT_IN_ZIP) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Err(BundleError::NoReceipt),
        Err(e) => return Err(BundleError::Zip(e.to_string())),
    };
    // Read one byte past the limit so that a zip bomb is refused without being inflated.
    let mut json = Vec::new();
    entry.take(MAX_RECEIPT_BYTES as u64 + 1).read_to_end(&mut json).map_err(|e| BundleError::Zip(e.to_string()))?;
    Ok(Receipt::from_json(&json)?)
}
