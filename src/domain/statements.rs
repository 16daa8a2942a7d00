//! What a valid receipt proves and does not prove, as data: the JSON report and the CLI say
//! each statement in English ([`std::fmt::Display`]); the pages say it in the reader's language.

use std::fmt;

use serde::{Serialize, Serializer};

use super::hex32::Hash;
use super::ids::EvidenceId;
use super::names::{EvidenceKind, LogName, Role};
use super::time::Timestamp;

/// One statement of a verification report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// The record is a leaf of a block whose header a quorum co-signed.
    Included { id: EvidenceId, kind: EvidenceKind, content_hash: Hash, leaf_index: u64, height: u64, log: LogName },
    /// A witness signed the block in the second starting `signed`, so the bytes existed by `bound`.
    ExistedBy { bound: Timestamp, signed: Timestamp, witness: String, role: Option<Role>, subject: String },
    /// The file given hashes to the registered content hash.
    FileMatches,
    /// No file was given, so only the content hash is proven.
    NoFileGiven,
    /// Not proven: who authored the content.
    NotAuthorship,
    /// Not proven: that the content is true, lawful or complete.
    NotTruth,
    /// Not proven: that nobody held the same bytes earlier.
    NotFirstHolder,
    /// Not proven here: the metadata, which this receipt leaves out.
    MetadataUndisclosed,
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Included { id, kind, content_hash, leaf_index, height, log } => write!(
                f,
                "Evidence {id} ({kind}) with content hash {content_hash} is leaf {leaf_index} of block {height} of log {log}, whose header was co-signed by a quorum of witnesses."
            ),
            Self::ExistedBy { bound, signed, witness, role, subject } => write!(
                f,
                "These bytes existed, unchanged, no later than {bound}: witness {witness} ({}, {subject}) signed the block during the second starting {signed}.",
                role.map_or("?", Role::as_str)
            ),
            Self::FileMatches => f.write_str("The file given is exactly the registered content."),
            Self::NoFileGiven => f.write_str(
                "No file was given: this proves the content hash; whoever holds the original can check it with --file.",
            ),
            Self::NotAuthorship => f.write_str(
                "Who authored the content: a registration shows who registered it and when, not who created it.",
            ),
            Self::NotTruth => f.write_str("That the content is true, lawful or complete."),
            Self::NotFirstHolder => f.write_str("That no one held the same bytes earlier."),
            Self::MetadataUndisclosed => f.write_str(
                "The metadata (title, file name, details) was not disclosed in this receipt; only its hash is committed.",
            ),
        }
    }
}

/// Statements appear in JSON as their English sentence.
impl Serialize for Statement {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
