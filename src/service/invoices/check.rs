//! An insurer asks whether an invoice is authentic. A wrong content hash for a known number
//! answers exactly like an unknown number, so numbers cannot be enumerated; and it takes the
//! same work: an unknown number is compared with a dummy invoice through the same code, and
//! written to the access log like a known one. Every check of an existing number goes into the
//! hospital's access log; checks of unknown numbers too, up to [`UNKNOWN_LOGGED_PER_MINUTE`] a
//! minute per insurer (beyond, a warning in the server's log).

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
pub async fn check(store: &Store, caller: &Caller, invoice: &Value, log: &UnknownLog) -> Result<Checked, CheckError> {
    if let Some(actual) = wrong_role(caller, TenantRole::Insurer) {
        return Err(CheckError::RoleForbidden { actual });
    }
    let q = question(invoice).map_err(CheckError::Invalid)?;
    let row = match invoice_key(q.key.issuer.clone(), q.key.code.clone(), q.key.number.clone()) {
        Some(key) => store.invoice(&key).await?,
        None => None,
    };
    let verdict = judge(&q, invoice, row.as_ref()).verdict;
    if row.is_some() || log.admits(caller) {
        store.record_check(&q.key, &caller.0.id, verdict.as_str()).await?;
    }
    let found = match row {
        Some(r) if matches!(verdict, Verdict::Authentic | Verdict::Voided) => Some(found(store, r).await?),
        _ => None,
    };
    Ok(Checked { verdict, key: q.key, found })
}

/// How many checks of unknown numbers an insurer may leave in the access log each minute.
pub const UNKNOWN_LOGGED_PER_MINUTE: u32 = 60;

/// The allowance of each insurer for access-log entries of unknown numbers.
pub struct UnknownLog(governor::DefaultKeyedRateLimiter<crate::domain::TenantId>);

impl Default for UnknownLog {
    fn default() -> Self {
        let per_minute = std::num::NonZeroU32::new(UNKNOWN_LOGGED_PER_MINUTE).expect("positive");
        Self(governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute)))
    }
}

impl UnknownLog {
    /// Whether one more entry of `caller` fits (a warning in the server's log when not).
    fn admits(&self, caller: &Caller) -> bool {
        let admitted = self.0.check_key(&caller.0.id).is_ok();
        if !admitted {
            tracing::warn!(insurer = %caller.0.id, "checks of unknown invoice numbers over {UNKNOWN_LOGGED_PER_MINUTE} a minute: not all are in the access log");
        }
        admitted
    }
}

/// The comparisons of a check, made in full against the stored invoice or, for an unknown
/// number, against a dummy one: the same work either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Judged {
    verdict: Verdict,
    same_content: bool,
    same_payer: bool,
}

/// What a number that was never issued is compared with.
const DUMMY_BODY: &str = r#"{"payer":{"token":"0000000000000000000000000000000000000000000000000000000000000000"}}"#;

fn judge(q: &Question, sent: &Value, row: Option<&InvoiceRow>) -> Judged {
    let dummy_hash = Hash::of(DUMMY_BODY.as_bytes());
    let (stored_hash, stored_body) = match row {
        Some(r) => (&r.content_hash, r.body.as_deref()),
        None => (&dummy_hash, Some(DUMMY_BODY)),
    };
    let same_content = openssl::memcmp::eq(stored_hash.as_bytes(), q.content_hash.as_bytes());
    let same_payer = q.full && same_payer(sent, stored_body);
    let verdict = match row {
        Some(r) if same_content && r.ledger.voided => Verdict::Voided,
        Some(_) if same_content => Verdict::Authentic,
        Some(_) if same_payer => Verdict::Altered,
        _ => Verdict::Unknown,
    };
    Judged { verdict, same_content, same_payer }
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
fn same_payer(sent: &Value, stored: Option<&str>) -> bool {
    let token = |v: &Value| v.pointer("/payer/token").and_then(Value::as_str).map(str::to_owned);
    let stored = stored.and_then(|b| serde_json::from_str::<Value>(b).ok());
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// An unknown number is compared in full, with the dummy invoice: both comparisons run and
    /// can even succeed, yet the verdict stays `unknown`.
    #[test]
    fn an_unknown_number_goes_through_the_same_comparisons_against_the_dummy() {
        let dummy: Value = serde_json::from_str(DUMMY_BODY).unwrap();
        let mut sent = json!({ "issuer": "H", "invoice_code": "C", "invoice_number": "N" });
        sent["payer"] = dummy["payer"].clone();
        let q = question(&sent).unwrap();
        let q = Question { content_hash: Hash::of(DUMMY_BODY.as_bytes()), ..q };
        let judged = judge(&q, &sent, None);
        assert_eq!(judged, Judged { verdict: Verdict::Unknown, same_content: true, same_payer: true });

        let other = Question { content_hash: Hash::of(b"other"), ..question(&sent).unwrap() };
        let judged = judge(&other, &json!({}), None);
        assert_eq!(judged, Judged { verdict: Verdict::Unknown, same_content: false, same_payer: false });
    }
}
