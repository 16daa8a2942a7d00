//! `POST /v1/invoices/check`: an insurer asks whether an invoice is authentic. A wrong content
//! hash for a known number answers exactly like an unknown number, so numbers cannot be
//! enumerated; every check of an existing number goes into the hospital's access log.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::require_role;
use crate::domain::canonical::StrictJson;
use crate::domain::{EvidenceId, EvidenceStatus, Hash, Receipt, TenantId, TenantRole, Timestamp};
use crate::http::auth::Caller;
use crate::http::body::JsonBody;
use crate::problem::Problem;
use crate::service::invoices::{self, Checked, MAX_INVOICE_BYTES, Verdict};
use crate::store::Store;

/// The answer to a check (its schema: `check_schema`).
#[derive(Debug, Serialize)]
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
    /// When the hospital erased its stored copy (the hash and the ledger remain); null while it
    /// is not erased. The same type as in the hospital's views.
    pub content_erased: Option<Timestamp>,
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
    caller: Caller,
    body: JsonBody<StrictJson>,
    store: web::Data<Store>,
    unknown_log: web::Data<invoices::UnknownLog>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Insurer)?;
    let StrictJson(value) = body.read(MAX_INVOICE_BYTES).await?;
    let checked = invoices::check(&store, &caller, &value, &unknown_log).await?;
    Ok(HttpResponse::Ok().json(CheckOut::new(checked, &caller.0.id)))
}

impl CheckOut {
    /// The answer as `insurer` sees it: the ids of its own claims only.
    pub fn new(Checked { verdict, key, found }: Checked, insurer: &TenantId) -> Self {
        let found = found.map(|f| Found {
            content_hash: f.row.content_hash,
            issued: f.issued,
            status: f.status,
            anchored: f.anchored,
            receipt: f.receipt,
            signed_by: f.row.signer,
            content_erased: f.row.erased,
            voided: f.voided,
            currency: f.row.currency,
            reimbursable: f.row.ledger.reimbursable.to_string(),
            claimed: f.row.ledger.claimed.to_string(),
            remaining: f.row.ledger.remaining().to_string(),
            claims: f
                .claims
                .into_iter()
                .map(|c| ClaimSeen {
                    claimed: c.claimed,
                    amount: c.amount.to_string(),
                    id: (c.insurer == *insurer).then_some(c.id),
                })
                .collect(),
        });
        Self { verdict, issuer: key.issuer, invoice_code: key.code, invoice_number: key.number, found }
    }
}
