//! A record's receipt for its owner: once its block is anchored, else its state; a bounded
//! long poll on the sealer's anchor signal; the receipt as a file to save.

use std::time::Duration;

use tokio::sync::watch;

use crate::bundle::write_receipt_zip;
use crate::domain::{EvidenceId, Receipt};
use crate::receipts::receipt_for;
use crate::service::Caller;
use crate::service::evidence::{RecordError, owned};
use crate::service::records::{RecordState, one_with_status};
use crate::store::Store;

/// Changes whenever a block gets anchored (the sealer holds the sender).
#[derive(Clone)]
pub struct AnchorSignal(pub watch::Receiver<u64>);

/// The longest wait a client may ask for, in seconds.
pub const MAX_WAIT_SECONDS: u64 = 30;

/// What a receipt request gives.
#[derive(Debug)]
pub enum ReceiptState {
    /// The record's block is anchored: its receipt.
    Anchored(Box<Receipt>),
    /// Not anchored (yet, or within the wait): the record as it stands.
    NotYet(Box<RecordState>),
}

/// Why there is no receipt.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    /// No record has this id, or it is another tenant's.
    #[error("no such record")]
    NotFound,
    /// The record's content and salt were erased: no new receipt can be made.
    #[error("the record's content and salt were erased; receipts issued before stay valid")]
    Erased,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<RecordError> for ReceiptError {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::NotFound => Self::NotFound,
            RecordError::Internal(e) => Self::Internal(e),
        }
    }
}

/// How a receipt is asked for.
#[derive(Debug, Clone, Copy)]
pub struct ReceiptRequest {
    /// Wait up to this long for the block to be anchored (at most [`MAX_WAIT_SECONDS`]).
    pub wait: Duration,
    /// Whether the metadata goes into the receipt (it stays committed through `meta_hash`).
    pub disclose: bool,
}

/// The caller's receipt of record `id`, waiting up to `request.wait` for it to be anchored.
pub async fn receipt(
    store: &Store,
    signal: &AnchorSignal,
    caller: &Caller,
    id: &EvidenceId,
    request: ReceiptRequest,
) -> Result<ReceiptState, ReceiptError> {
    let record = owned(store, caller, id).await?;
    if record.salt.is_none() {
        return Err(ReceiptError::Erased);
    }
    let wait = request.wait.min(Duration::from_secs(MAX_WAIT_SECONDS));
    let deadline = tokio::time::Instant::now() + wait;
    let mut changes = signal.0.clone();
    loop {
        changes.mark_unchanged();
        if let Some(receipt) = receipt_for(store, &record, request.disclose).await? {
            return Ok(ReceiptState::Anchored(Box::new(receipt)));
        }
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(remaining, changes.changed()).await {
            Ok(Ok(())) => continue,
            _ => break, // the deadline passed, or the sealer stopped
        }
    }
    Ok(ReceiptState::NotYet(Box::new(one_with_status(store, record).await?)))
}

/// A receipt as a file to save.
pub struct ReceiptFile {
    pub content_type: &'static str,
    /// `receipt-<id>.zip` or `receipt-<id>.json`.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// `receipt` as the zip bundle (`zip`) or as pretty JSON.
pub fn receipt_file(receipt: &Receipt, zip: bool) -> anyhow::Result<ReceiptFile> {
    let (content_type, ext, bytes) = if zip {
        ("application/zip", "zip", write_receipt_zip(receipt)?)
    } else {
        ("application/json", "json", receipt.to_json_pretty().into_bytes())
    };
    Ok(ReceiptFile { content_type, file_name: format!("receipt-{}.{ext}", receipt.evidence.id), bytes })
}
