//! An insurer asks whether an invoice is authentic. A wrong content hash for a known number
//! answers exactly like an unknown number, so numbers cannot be enumerated; every check of an
//! existing number goes into the hospital's access log.

use serde::Serialize;
use serde_json::Value;

use super::{invoice_key, wrong_role};
use crate::domain::canonical::canonical_json;
use crate::domain::{EvidenceStatus, Hash, Receipt, TenantRole, Timestamp};
use crate::receipts::receipt_for;
use crate::service::{Caller, FieldError};
use crate::store::invoices::{ClaimRow, InvoiceKey, InvoiceRow};
use crate::store::{Store, record_status};

/// The verdict of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Issued with exactly this content, and not voided.
    Authentic,
    /// The number was issued, with other content (only when the full invoice was sent).
    Altered,
    /// No invoice with this number and this content hash.
    Unknown,
    /// Issued with exactly this content, then voided.
    Voided,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authentic => "authentic",
            Self::Altered => "altered",
            Self::Unknown => "unknown",
            Self::Voided => "voided",
        }
    }
}

/// Why an invoice could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The caller is not an insurer.
    #[error("only an insurer checks invoices")]
    RoleForbidden { actual: TenantRole },
    /// Neither an invoice object nor `{issuer, invoice_code, invoice_number, content_hash}`.
    #[error("{}: {}", .0.pointer, .0.message)]
    Invalid(FieldError),
    /// A server fault (storage).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The answer to a check.
#[derive(Debug, Clone)]
pub struct Checked {
    pub verdict: Verdict,
    pub key: InvoiceKey,
    /// Only for `authentic` and `voided`.
    pub found: Option<Found>,
}

/// What an insurer learns of an invoice it holds exactly.
#[derive(Debug, Clone)]
pub struct Found {
    pub row: InvoiceRow,
    /// When the hospital issued it (its record's registration time).
    pub issued: Timestamp,
    /// The invoice record's status.
    pub status: EvidenceStatus,
    /// When its block was co-signed to the quorum.
    pub anchored: Option<Timestamp>,
    /// The invoice record's receipt, once anchored and while its content is not erased.
    pub receipt: Option<Receipt>,
    /// When it was voided.
    pub voided: Option<Timestamp>,
    /// The active claims, oldest first.
    pub claims: Vec<ClaimRow>,
}

/// Checks `invoice`: the invoice JSON itself, or `{issuer, invoice_code, invoice_number,
/// content_hash}`. The verdict is logged for the hospital when the number exists.
pub async fn check(store: &Store, caller: &Caller, invoice: &Value) -> Result<Checked, CheckError> {
    if let Some(actual) = wrong_role(caller, TenantRole::Insurer) {
        return Err(CheckError::RoleForbidden { actual });
    }
    let q = question(invoice).map_err(CheckError::Invalid)?;
    let row = match invoice_key(q.key.issuer.clone(), q.key.code.clone(), q.key.number.clone()) {
        Some(key) => store.invoice(&key).await?,
        None => None,
    };
    let verdict = match &row {
        None => Verdict::Unknown,
        Some(r) if r.content_hash != q.content_hash => {
            if q.full && same_payer(invoice, r) {
                Verdict::Altered
            } else {
                Verdict::Unknown
            }
        }
        Some(r) if r.ledger.voided => Verdict::Voided,
        Some(_) => Verdict::Authentic,
    };
    if row.is_some() {
        store.record_check(&q.key, &caller.0.id, verdict.as_str()).await?;
    }
    let found = match row {
        Some(r) if matches!(verdict, Verdict::Authentic | Verdict::Voided) => Some(found(store, r).await?),
        _ => None,
    };
    Ok(Checked { verdict, key: q.key, found })
}

/// What the insurer sent: a key and the content hash to compare, and whether it sent the whole
/// invoice (only then can the answer be `altered`).
struct Question {
    key: InvoiceKey,
    content_hash: Hash,
    full: bool,
}

fn question(value: &Value) -> Result<Question, FieldError> {
    let Value::Object(obj) = value else {
        return Err(FieldError::new(
            "",
            "invalid_type",
            "an invoice object, or {issuer, invoice_code, invoice_number, content_hash}",
        ));
    };
    let text = |name: &str| match obj.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(FieldError::new(format!("/{name}"), "invalid_type", "a string is expected")),
        None => Err(FieldError::new(format!("/{name}"), "missing_field", "this field is required")),
    };
    let key = InvoiceKey { issuer: text("issuer")?, code: text("invoice_code")?, number: text("invoice_number")? };
    if obj.len() == 4 && obj.contains_key("content_hash") {
        let content_hash = text("content_hash")?
            .parse()
            .map_err(|_| FieldError::new("/content_hash", "invalid_format", "64 lowercase hex digits (BLAKE3)"))?;
        return Ok(Question { key, content_hash, full: false });
    }
    Ok(Question { key, content_hash: Hash::of(&canonical_json(value)), full: true })
}

/// Whether the sent invoice carries the stored invoice's payer token: `altered` needs it, so
/// that a made-up object with a guessed number answers `unknown` like any unknown number (the
/// token is the hospital's salted pseudonym, which only holders of the real invoice know).
/// After erasure there is nothing to compare with.
fn same_payer(sent: &Value, stored: &InvoiceRow) -> bool {
    let token = |v: &Value| v.pointer("/payer/token").and_then(Value::as_str).map(str::to_owned);
    let stored = stored.body.as_deref().and_then(|b| serde_json::from_str::<Value>(b).ok());
    matches!((token(sent), stored.as_ref().and_then(token)), (Some(a), Some(b)) if a == b)
}

/// The invoice's record (and its void's) read together, its block, receipt and active claims.
async fn found(store: &Store, row: InvoiceRow) -> anyhow::Result<Found> {
    let seqs: Vec<u64> = std::iter::once(row.evidence_seq).chain(row.void_seq).collect();
    let mut read = store.records_at(&seqs).await?.into_iter();
    let record = read.next().expect("the invoice's record was asked for");
    let voided = read.next().map(|v| v.received);
    let block = store.block_containing(record.seq).await?;
    let status = record_status(block.as_ref());
    let receipt = match (status, record.salt) {
        (EvidenceStatus::Anchored, Some(_)) => receipt_for(store, &record, true).await?,
        _ => None,
    };
    let claims = store.claims_of(&row.key).await?.into_iter().filter(|c| c.withdrawn.is_none()).collect();
    Ok(Found {
        issued: record.received,
        status,
        anchored: block.and_then(|b| b.anchored),
        receipt,
        voided,
        claims,
        row,
    })
}
