//! `POST /v1/invoices/check`: an insurer asks whether an invoice is authentic. A wrong content
//! hash for a known number answers exactly like an unknown number, so numbers cannot be
//! enumerated; every check of an existing number goes into the hospital's access log.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::Value;

use super::require_role;
use crate::domain::canonical::{StrictJson, canonical_json};
use crate::domain::invoice::valid_code;
use crate::domain::{EvidenceId, EvidenceStatus, Hash, Receipt, TenantId, TenantRole, Timestamp};
use crate::http::auth::Caller;
use crate::http::body::{parse_json, read_limited, require_json};
use crate::problem::Problem;
use crate::receipts::receipt_for;
use crate::store::Store;
use crate::store::invoices::{InvoiceKey, InvoiceRow};

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

/// The answer to a check.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckOut {
    pub verdict: Verdict,
    pub issuer: String,
    pub invoice_code: String,
    pub invoice_number: String,
    /// Only for `authentic` and `voided`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub found: Option<Found>,
}

/// What an insurer learns of an invoice it holds exactly.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Found {
    pub content_hash: Hash,
    /// When the hospital issued it (its record's registration time).
    pub issued: Timestamp,
    /// `pending`, `sealed` or `anchored`: the invoice record's status.
    pub status: EvidenceStatus,
    /// When its block was co-signed to the quorum.
    pub anchored: Option<Timestamp>,
    /// The invoice record's receipt, once anchored (checkable offline with `notarium verify`);
    /// null before, and after the hospital erased the invoice's content.
    #[schema(value_type = Option<Object>)]
    pub receipt: Option<Receipt>,
    /// The subject of the hospital certificate whose CMS signature over the canonical invoice
    /// the service verified at issuance; null when the hospital sent none.
    pub signed_by: Option<String>,
    /// The hospital erased its stored copy (the hash and the ledger remain).
    pub content_erased: bool,
    /// When it was voided.
    pub voided: Option<Timestamp>,
    pub currency: String,
    #[schema(example = "760.30")]
    pub reimbursable: String,
    /// The sum of the active claims, by every insurer.
    #[schema(example = "456.18")]
    pub claimed: String,
    #[schema(example = "304.12")]
    pub remaining: String,
    /// The active claims, oldest first: time and amount; the id only of the caller's own.
    pub claims: Vec<ClaimSeen>,
}

/// An active claim as an insurer sees it: never another insurer's name or reference.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClaimSeen {
    pub claimed: Timestamp,
    #[schema(example = "456.18")]
    pub amount: String,
    /// Only on the caller's own claims (to withdraw them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<EvidenceId>,
}

/// Checks an invoice: the invoice JSON itself, or `{issuer, invoice_code, invoice_number,
/// content_hash}`.
#[utoipa::path(
    post,
    path = "/v1/invoices/check",
    tag = "invoices",
    security(("api_key" = [])),
    request_body(content = Object, description = "The invoice JSON as the patient handed it over, or \
        `{issuer, invoice_code, invoice_number, content_hash}`.",
        example = json!({ "issuer": "DEMO-HOSP", "invoice_code": "330100", "invoice_number": "00012345",
            "content_hash": crate::http::openapi::examples::HASH })),
    responses((status = 200, description = "The verdict; amounts and receipt for `authentic` and `voided`.",
        body = CheckOut, example = json!(crate::http::openapi::examples::check_out()))),
)]
pub(crate) async fn check(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    store: web::Data<Store>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Insurer)?;
    require_json(&req)?;
    let StrictJson(value) = parse_json(&read_limited(payload, super::issue::MAX_INVOICE_BYTES).await?)?;
    Ok(HttpResponse::Ok().json(check_invoice(&store, &caller.0.id, &value).await?))
}

/// What the insurer sent: a key and the content hash to compare, and whether it sent the whole
/// invoice (only then can the answer be `altered`).
struct Question {
    key: InvoiceKey,
    content_hash: Hash,
    full: bool,
}

/// The check itself (the API and the `/invoices/check` page): the verdict, logged for the
/// hospital when the number exists.
pub async fn check_invoice(store: &Store, insurer: &TenantId, value: &Value) -> Result<CheckOut, Problem> {
    let q = question(value)?;
    let row = if [&q.key.issuer, &q.key.code, &q.key.number].iter().all(|s| valid_code(s)) {
        store.invoice(&q.key).await?
    } else {
        None
    };
    let verdict = match &row {
        None => Verdict::Unknown,
        Some(r) if r.content_hash != q.content_hash => {
            if q.full && same_payer(value, r) {
                Verdict::Altered
            } else {
                Verdict::Unknown
            }
        }
        Some(r) if r.ledger.voided => Verdict::Voided,
        Some(_) => Verdict::Authentic,
    };
    if row.is_some() {
        store.record_check(&q.key, insurer, verdict.as_str()).await?;
    }
    let found = match row {
        Some(r) if matches!(verdict, Verdict::Authentic | Verdict::Voided) => Some(found(store, insurer, r).await?),
        _ => None,
    };
    Ok(CheckOut { verdict, issuer: q.key.issuer, invoice_code: q.key.code, invoice_number: q.key.number, found })
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

fn question(value: &Value) -> Result<Question, Problem> {
    let Value::Object(obj) = value else {
        return Err(Problem::invalid_field(
            "",
            "invalid_type",
            "an invoice object, or {issuer, invoice_code, invoice_number, content_hash}",
        ));
    };
    let text = |name: &str| match obj.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(Problem::invalid_field(format!("/{name}"), "invalid_type", "a string is expected")),
        None => Err(Problem::invalid_field(format!("/{name}"), "missing_field", "this field is required")),
    };
    let key = InvoiceKey { issuer: text("issuer")?, code: text("invoice_code")?, number: text("invoice_number")? };
    let by_hash = obj.len() == 4 && obj.contains_key("content_hash");
    if by_hash {
        let content_hash = text("content_hash")?.parse().map_err(|_| {
            Problem::invalid_field("/content_hash", "invalid_format", "64 lowercase hex digits (BLAKE3)")
        })?;
        return Ok(Question { key, content_hash, full: false });
    }
    Ok(Question { key, content_hash: Hash::of(&canonical_json(value)), full: true })
}

async fn found(store: &Store, insurer: &TenantId, row: InvoiceRow) -> Result<Found, Problem> {
    let record = store.evidence_range(row.evidence_seq, 1).await?.into_iter().next();
    let record = record.ok_or_else(|| anyhow::anyhow!("invoice record {} is missing", row.evidence_seq))?;
    let block = store.block_containing(record.seq).await?;
    let status = crate::store::record_status(block.as_ref());
    let receipt = match (status, record.salt) {
        (EvidenceStatus::Anchored, Some(_)) => receipt_for(store, &record, true).await?,
        _ => None,
    };
    let voided = match row.void_seq {
        Some(seq) => store.evidence_range(seq, 1).await?.first().map(|r| r.received),
        None => None,
    };
    let claims = store
        .claims_of(&row.key)
        .await?
        .into_iter()
        .filter(|c| c.withdrawn.is_none())
        .map(|c| ClaimSeen {
            claimed: c.claimed,
            amount: c.amount.to_string(),
            id: (c.insurer == *insurer).then_some(c.id),
        })
        .collect();
    Ok(Found {
        content_hash: row.content_hash,
        issued: record.received,
        status,
        anchored: block.and_then(|b| b.anchored),
        receipt,
        signed_by: row.signer,
        content_erased: row.erased.is_some(),
        voided,
        currency: row.currency,
        reimbursable: row.ledger.reimbursable.to_string(),
        claimed: row.ledger.claimed.to_string(),
        remaining: row.ledger.remaining().to_string(),
        claims,
    })
}
