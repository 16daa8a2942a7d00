//! Checking a receipt as a court's verifier would, under the service's trust anchors and
//! quorum policy. Nothing is stored.

use crate::bundle::{BundleError, read_receipt};
use crate::crypto::{OpensslChecker, TrustStore};
use crate::domain::Hash;
use crate::domain::verify::{QuorumPolicy, VerifyInput, VerifyReport, verify};

/// What verification runs under.
pub struct VerifyLimits {
    /// Files checked against a receipt may be as large as uploads.
    pub max_file_bytes: u64,
    /// The service's own quorum policy.
    pub quorum: QuorumPolicy,
}

/// Why a receipt could not be checked at all (an invalid one still gives a report).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The bytes are neither a receipt's JSON nor its zip bundle, or the receipt is malformed.
    #[error("{0}")]
    Unusable(#[from] BundleError),
}

/// The report on `receipt` (`.json` or `.zip` bytes), with the original's BLAKE3 if given.
pub fn check(
    receipt: &[u8],
    file_hash: Option<Hash>,
    trust: &TrustStore,
    limits: &VerifyLimits,
) -> Result<VerifyReport, VerifyError> {
    let receipt = read_receipt(receipt)?;
    let input = VerifyInput { file_hash, online_header: None, ..Default::default() };
    Ok(verify(&receipt, &input, &OpensslChecker { trust }, &limits.quorum))
}
