//! The API's answers as the tests expect them: typed, so that a test says which fields it
//! reads. `deny_unknown_fields` where the type is the whole wire form, so a field that appears
//! or disappears fails the test that reads it.

use notarium::domain::{EvidenceId, EvidenceKind, Hash, Receipt, Timestamp};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A record's status as the API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Sealed,
    Anchored,
}

/// A record as its owner sees it (`POST /v1/evidence`, `GET /v1/evidence/{id}`, lists).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub id: EvidenceId,
    pub kind: EvidenceKind,
    /// Where the record is: `block` is its block's height once sealed.
    pub status: Status,
    pub block: Option<u64>,
    pub received: Timestamp,
    /// What the record commits to: the content, its metadata, and the leaf of both with salt.
    pub content_hash: Hash,
    pub meta_hash: Hash,
    pub leaf_hash: Hash,
    /// Left out of the wire form when the record has none.
    #[serde(default)]
    pub metadata: Option<Value>,
    /// Where to fetch the receipt; null once the content was erased.
    pub receipt: Option<String>,
}

/// Records in the order the route gives them (`/v1/evidence/batch`, `/v1/evidence/lookup`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Items {
    pub items: Vec<Evidence>,
}

/// One page of `GET /v1/evidence`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidencePage {
    pub items: Vec<Evidence>,
    pub next_cursor: Option<String>,
}

impl EvidencePage {
    /// The records' ids, in order.
    pub fn ids(&self) -> Vec<EvidenceId> {
        self.items.iter().map(|e| e.id).collect()
    }
}

/// A witness as `/v1/witnesses` and `/readyz` show it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessView {
    pub name: String,
    pub role: String,
    /// Unknown (`None`) until the first attempt.
    pub reachable: Option<bool>,
    pub refusals: u64,
    /// The code (and words) of the witness's last refusal, e.g. `gap`, `fork`, `clock_skew`.
    pub last_refusal: Option<String>,
    pub last_error: Option<String>,
    pub last_height: Option<u64>,
    pub last_contact: Option<Timestamp>,
    /// Set while retrying with backoff.
    pub retry_in_ms: Option<u64>,
    /// How far behind the latest block the witness's signatures are.
    pub lag_blocks: u64,
    pub lag_seconds: f64,
}

/// `GET /v1/witnesses`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Witnesses {
    pub witnesses: Vec<WitnessView>,
}

impl Witnesses {
    /// The witness called `name`.
    pub fn named(&self, name: &str) -> &WitnessView {
        self.witnesses.iter().find(|w| w.name == name).unwrap_or_else(|| panic!("no witness {name}: {self:?}"))
    }
}

/// A block as `GET /v1/blocks/{height}` shows it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    pub height: u64,
    pub leaves: u64,
    /// The signed text; `block_hash` is its BLAKE3.
    pub header: String,
    pub block_hash: Hash,
    pub sealed: Timestamp,
    /// Once co-signed to the quorum.
    pub anchored: Option<Timestamp>,
    pub cosignatures: Vec<BlockCosignature>,
}

/// One co-signature of a [`Block`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockCosignature {
    pub witness: String,
    pub role: String,
    /// Base64 DER.
    pub cms: String,
    pub signing_time: Option<Timestamp>,
}

/// An invoice as its hospital sees it (`POST /v1/invoices`, `.../void`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    pub issuer: String,
    pub invoice_code: String,
    pub invoice_number: String,
    pub content_hash: Hash,
    /// `issued` or `voided`.
    pub status: String,
    pub currency: String,
    pub total: String,
    pub reimbursable: String,
    pub claimed: String,
    pub remaining: String,
    pub signed_by: Option<String>,
    pub content_erased: Option<Timestamp>,
    pub evidence: Evidence,
}

/// A claim as its insurer sees it (`POST .../claims`, `.../withdraw`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub id: EvidenceId,
    pub issuer: String,
    pub invoice_code: String,
    pub invoice_number: String,
    pub claim_reference: String,
    pub amount: String,
    pub claimed: Timestamp,
    pub withdrawn: Option<Timestamp>,
    pub remaining: String,
    pub evidence: Evidence,
    pub withdrawal: Option<Evidence>,
}

/// What `GET /v1/evidence/{id}/receipt` answers.
#[derive(Debug)]
pub enum ReceiptResponse {
    /// `200`: the receipt.
    Anchored(Box<Receipt>),
    /// `202` with `Retry-After: 1`: the record, not anchored yet.
    NotYet(Evidence),
}

/// The status and body of an answer, for tests that check the wire form as well.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub async fn of(res: reqwest::Response) -> Self {
        let status = res.status().as_u16();
        let content_type =
            res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        Self { status, content_type, body: res.bytes().await.unwrap().to_vec() }
    }

    /// The body as text (lossy), for assertion messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as untyped JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The body as `T`, after asserting the status is `status`.
    pub fn expect<T: DeserializeOwned>(&self, status: u16) -> T {
        assert_eq!(self.status, status, "{}", self.text());
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not the expected shape ({e}): {}", self.text()))
    }
}

/// The body of `res` as `T`, after asserting its status is `status`.
pub async fn expect<T: DeserializeOwned>(res: reqwest::Response, status: u16) -> T {
    Answer::of(res).await.expect(status)
}
