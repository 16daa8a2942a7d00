//! Pure logic, no I/O: the stable v1 formats (leaf, tree, header, receipt) and the rules of
//! verification. See docs/formats.md.

pub mod canonical;
mod checks;
mod field_error;
pub mod header;
pub mod hex32;
pub mod ids;
pub mod invoice;
pub mod leaf;
mod lines;
pub mod merkle;
pub mod merkle_tiles;
pub mod names;
pub mod online;
pub mod quorum;
pub mod receipt;
pub mod statements;
pub mod status;
mod text;
pub mod time;
pub mod verdicts;
pub mod verify;

pub use canonical::Metadata;
pub use field_error::FieldError;
pub use header::BlockHeader;
pub use hex32::{Hash, Salt};
pub use ids::{EvidenceId, TenantId};
pub use leaf::Leaf;
pub use lines::LinesError;
pub use names::{EvidenceKind, LogName, Role, TenantRole, WitnessName};
pub use receipt::{Cosignature, InclusionProof, Receipt, ReceiptBlock, ReceiptError, ReceiptEvidence};
pub use status::EvidenceStatus;
pub use time::Timestamp;
