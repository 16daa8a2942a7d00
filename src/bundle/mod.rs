//! Receipts as files: the bare `receipt.json` or the `receipt.zip` bundle that holds it with
//! the same content as plain files (docs/formats.md §7 "Receipt zip").
//!
//! - [`read_receipt`]: a receipt from the bytes of either form.
//! - [`write_receipt_zip`]: the bundle, byte for byte the same for the same receipt.

mod proof_txt;
mod read;
mod verify_sh;
mod verify_txt;
mod write;

pub use proof_txt::PROOF_TAG;
pub use read::{BundleError, read_receipt};
pub use verify_sh::VERIFY_SH;
pub use write::write_receipt_zip;

use crate::domain::WitnessName;

/// The name of the receipt inside the zip bundle.
pub const RECEIPT_IN_ZIP: &str = "receipt.json";
/// The block header text (`block.header`) inside the zip bundle.
pub const HEADER_IN_ZIP: &str = "header.txt";
/// The leaf text of the evidence inside the zip bundle.
pub const LEAF_IN_ZIP: &str = "leaf.txt";
/// The canonical metadata (RFC 8785 bytes) of a v2 receipt that discloses it.
pub const METADATA_IN_ZIP: &str = "metadata.json";
/// The instructions (and `sh` script) inside the zip bundle.
pub const VERIFY_IN_ZIP: &str = "VERIFY.txt";
/// The inclusion proof (and disclosed `meta_salt`) as plain lines, in a v2 zip.
pub const PROOF_IN_ZIP: &str = "proof.txt";
/// The constant check script [`VERIFY_SH`], in a v2 zip.
pub const VERIFY_SH_IN_ZIP: &str = "verify.sh";
/// A bundle larger than this is refused before it is opened.
pub const MAX_BUNDLE_BYTES: usize = 64 << 20;

/// The bundle entry holding a witness's co-signature (DER): `<witness>.p7s`.
pub fn cosignature_in_zip(witness: &WitnessName) -> String {
    format!("{witness}.p7s")
}

/// The bundle entry holding a witness's certificate chain (PEM, signer first):
/// `chain-<witness>.pem`.
pub fn chain_in_zip(witness: &WitnessName) -> String {
    format!("chain-{witness}.pem")
}
