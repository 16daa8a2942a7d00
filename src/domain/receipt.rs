//! The receipt: a self-contained JSON document proving that one evidence record is in an
//! anchored block (docs/formats.md §Receipt). Unknown fields are refused.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::canonical::{Metadata, unique_keys_metadata};
use super::hex32::{Hash, Salt};
use super::ids::{EvidenceId, TenantId};
use super::leaf::{Leaf, LeafVersion};
use super::names::{EvidenceKind, LogName, Role, WitnessName};
use super::time::Timestamp;

/// The `format` of a v1 receipt (a record registered before v2: leaf v1, no `meta_salt`).
pub const RECEIPT_FORMAT: &str = "notarium-receipt/v1";
/// The `format` of a v2 receipt (leaf v2, the metadata committed with `meta_salt`).
pub const RECEIPT_FORMAT_V2: &str = "notarium-receipt/v2";
/// Members reserved for receipts of this wave that this verifier does not read yet
/// (docs/formats.md §10): a receipt carrying one is refused as unusable, not as malformed.
pub const RESERVED_MEMBERS: &[&str] = &["image", "timestamp"];
/// Receipts larger than this are refused before parsing.
pub const MAX_RECEIPT_BYTES: usize = 16 << 20;
/// A tree of 2^64 leaves takes 64 siblings; more is not a proof.
pub const MAX_SIBLINGS: usize = 64;
pub const MAX_COSIGNATURES: usize = 32;
pub const MAX_CHAIN_CERTS: usize = 8;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    #[schema(pattern = "^notarium-receipt/v[12]$")]
    pub format: String,
    pub evidence: ReceiptEvidence,
    pub leaf_hash: Hash,
    pub proof: InclusionProof,
    pub block: ReceiptBlock,
    pub cosignatures: Vec<Cosignature>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptEvidence {
    pub id: EvidenceId,
    pub kind: EvidenceKind,
    pub content_hash: Hash,
    pub salt: Salt,
    pub meta_hash: Hash,
    /// v2 only: the key of the keyed `meta_hash`. Absent, with `metadata`, when the owner chose
    /// not to disclose the metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta_salt: Option<Salt>,
    pub owner: TenantId,
    pub received: Timestamp,
    /// Absent when the owner chose not to disclose it; it is committed through `meta_hash`.
    /// Duplicate keys are refused at every depth.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "unique_keys_metadata")]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Metadata>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub leaf_count: u64,
    /// Sibling hashes, leaf level first.
    pub siblings: Vec<Hash>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptBlock {
    pub log: LogName,
    pub height: u64,
    /// The exact header text the witnesses signed.
    pub header: String,
    pub block_hash: Hash,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cosignature {
    pub witness: WitnessName,
    /// Informational: the verifier takes the role from the certificate.
    pub role: Role,
    /// CMS SignedData (DER), base64 in JSON.
    #[serde(serialize_with = "to_base64", deserialize_with = "from_base64")]
    #[schema(value_type = String, format = Byte)]
    pub cms: Vec<u8>,
    /// The signer certificate and intermediates as PEM, leaf first, no root.
    pub chain: Vec<String>,
}

/// Why a receipt cannot be used at all (as opposed to being invalid): the verifier exits 2.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    /// The input is larger than [`MAX_RECEIPT_BYTES`].
    #[error("the receipt is larger than {MAX_RECEIPT_BYTES} bytes")]
    TooLarge,
    /// Not JSON, not of the receipt's shape, an unknown field, or a malformed value.
    #[error("not a notarium receipt: {0}")]
    Json(#[from] serde_json::Error),
    /// `format` is neither `notarium-receipt/v1` nor `notarium-receipt/v2`.
    #[error("unsupported receipt format {0:?}; this verifier reads {RECEIPT_FORMAT:?} and {RECEIPT_FORMAT_V2:?}")]
    Format(String),
    /// The receipt carries a member reserved for a later part of v2 ([`RESERVED_MEMBERS`]).
    #[error("the receipt carries {0:?}, which a newer verifier defines: use a newer notarium verify")]
    Reserved(&'static str),
    /// A v1 receipt carries `meta_salt` (v1 has none), or a v2 receipt discloses `metadata`
    /// without the `meta_salt` its hash is keyed with.
    #[error("{0}")]
    MetaSalt(&'static str),
    /// A list is longer than any genuine receipt's.
    #[error("the receipt has more than {max} {what}")]
    TooMany { what: &'static str, max: usize },
    /// Two co-signatures carry the same witness name.
    #[error("two co-signatures are named {0:?}")]
    DuplicateWitness(String),
}

impl Receipt {
    /// Parses and checks the shape of a receipt: size, format, unknown fields, list limits.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ReceiptError> {
        if bytes.len() > MAX_RECEIPT_BYTES {
            return Err(ReceiptError::TooLarge);
        }
        if let Ok(members) = serde_json::from_slice::<TopLevel>(bytes)
            && let Some(reserved) = RESERVED_MEMBERS.iter().find(|m| members.0.contains_key(**m))
        {
            return Err(ReceiptError::Reserved(reserved));
        }
        let receipt: Receipt = serde_json::from_slice(bytes)?;
        let ev = &receipt.evidence;
        match receipt.version() {
            None => return Err(ReceiptError::Format(receipt.format)),
            Some(LeafVersion::V1) if ev.meta_salt.is_some() => {
                return Err(ReceiptError::MetaSalt("a v1 receipt has no meta_salt"));
            }
            Some(LeafVersion::V2) if ev.metadata.is_some() && ev.meta_salt.is_none() => {
                return Err(ReceiptError::MetaSalt("the metadata is disclosed without its meta_salt"));
            }
            Some(_) => {}
        }
        let limits = [
            ("proof siblings", receipt.proof.siblings.len(), MAX_SIBLINGS),
            ("co-signatures", receipt.cosignatures.len(), MAX_COSIGNATURES),
            (
                "certificates in one chain",
                receipt.cosignatures.iter().map(|c| c.chain.len()).max().unwrap_or(0),
                MAX_CHAIN_CERTS,
            ),
        ];
        if let Some((what, _, max)) = limits.into_iter().find(|(_, n, max)| n > max) {
            return Err(ReceiptError::TooMany { what, max });
        }
        let mut names: Vec<&str> = receipt.cosignatures.iter().map(|c| c.witness.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(ReceiptError::DuplicateWitness(w[0].to_owned()));
        }
        Ok(receipt)
    }

    /// The version its `format` names (receipt v2 commits to a leaf v2), `None` for another.
    pub fn version(&self) -> Option<LeafVersion> {
        match self.format.as_str() {
            RECEIPT_FORMAT => Some(LeafVersion::V1),
            RECEIPT_FORMAT_V2 => Some(LeafVersion::V2),
            _ => None,
        }
    }

    /// The leaf its evidence fields commit to, in the version its `format` names.
    pub fn leaf(&self) -> Leaf {
        self.evidence.leaf(self.version().unwrap_or(LeafVersion::V1))
    }

    /// Pretty JSON, as served and as written into the receipt zip.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a receipt always serialises") + "\n"
    }
}

impl ReceiptEvidence {
    /// The evidence of a receipt for `leaf`, with its metadata and `meta_salt` if disclosed.
    pub fn from_leaf(leaf: Leaf, metadata: Option<Metadata>, meta_salt: Option<Salt>) -> Self {
        Self {
            meta_salt,
            id: leaf.id,
            kind: leaf.kind,
            content_hash: leaf.content,
            salt: leaf.salt,
            meta_hash: leaf.meta,
            owner: leaf.owner,
            received: leaf.received,
            metadata,
        }
    }

    /// The leaf these fields commit to, in `version`.
    pub fn leaf(&self, version: LeafVersion) -> Leaf {
        Leaf {
            version,
            id: self.id,
            kind: self.kind,
            content: self.content_hash,
            salt: self.salt,
            meta: self.meta_hash,
            owner: self.owner,
            received: self.received,
        }
    }
}

/// The top-level member names of a receipt, read before its shape is checked.
#[derive(Deserialize)]
struct TopLevel(std::collections::BTreeMap<String, serde::de::IgnoredAny>);

fn to_base64<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&BASE64.encode(bytes))
}

fn from_base64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    BASE64.decode(text.as_bytes()).map_err(serde::de::Error::custom)
}
