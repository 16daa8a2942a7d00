//! What the invoice routes answer.

use serde::Serialize;

use crate::domain::{EvidenceId, Hash, Timestamp};
use crate::http::evidence::EvidenceOut;
use crate::service::invoices::{ClaimState, InvoiceDetails, InvoiceState};
use crate::store::invoices::{CheckRow, ClaimRow};

/// An invoice as its hospital sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceOut {
    pub issuer: String,
    pub invoice_code: String,
    pub invoice_number: String,
    /// BLAKE3 of the RFC 8785 canonical JSON of the invoice as submitted.
    pub content_hash: Hash,
    /// `issued` or `voided`.
    #[schema(value_type = InvoiceStatus)]
    pub status: &'static str,
    pub currency: String,
    #[schema(example = "1280.50")]
    pub total: String,
    #[schema(example = "760.30")]
    pub reimbursable: String,
    /// The sum of the active claims.
    #[schema(example = "0.00")]
    pub claimed: String,
    #[schema(example = "760.30")]
    pub remaining: String,
    /// The subject of the hospital certificate that signed the invoice, when one did.
    pub signed_by: Option<String>,
    /// When the stored invoice body and its record's salt were erased.
    pub content_erased: Option<Timestamp>,
    /// The invoice's evidence record.
    pub evidence: EvidenceOut,
}

/// `issued` or `voided`.
#[derive(utoipa::ToSchema, Serialize)]
#[allow(dead_code)] // a schema only: `InvoiceOut::status` is the text
#[serde(rename_all = "lowercase")]
pub enum InvoiceStatus {
    Issued,
    Voided,
}

impl From<InvoiceState> for InvoiceOut {
    fn from(InvoiceState { row, record }: InvoiceState) -> Self {
        Self {
            issuer: row.key.issuer,
            invoice_code: row.key.code,
            invoice_number: row.key.number,
            content_hash: row.content_hash,
            status: if row.ledger.voided { "voided" } else { "issued" },
            currency: row.currency,
            total: row.total.to_string(),
            reimbursable: row.ledger.reimbursable.to_string(),
            claimed: row.ledger.claimed.to_string(),
            remaining: row.ledger.remaining().to_string(),
            signed_by: row.signer,
            content_erased: row.erased,
            evidence: record.into(),
        }
    }
}

/// One of the hospital's invoices with its claims, void and access log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceDetail {
    #[serde(flatten)]
    pub invoice: InvoiceOut,
    /// The invoice as submitted (canonical JSON); null once erased.
    #[schema(value_type = Option<Object>)]
    pub body: Option<serde_json::Value>,
    /// The `invoice-void` record, once voided.
    pub void: Option<VoidOut>,
    /// Every claim, oldest first, with the insurer's name.
    pub claims: Vec<HospitalClaimView>,
    /// The latest 100 checks insurers made, newest first.
    pub checks: Vec<CheckView>,
}

impl From<InvoiceDetails> for InvoiceDetail {
    fn from(d: InvoiceDetails) -> Self {
        Self {
            invoice: d.invoice.into(),
            body: d.body,
            void: d.void.map(|(reason, record)| VoidOut { reason, evidence: record.into() }),
            claims: d.claims.into_iter().map(HospitalClaimView::from).collect(),
            checks: d.checks.into_iter().map(CheckView::from).collect(),
        }
    }
}

/// A void as the hospital sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VoidOut {
    pub reason: String,
    pub evidence: EvidenceOut,
}

/// A claim as the issuing hospital sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HospitalClaimView {
    pub id: EvidenceId,
    pub insurer: String,
    #[schema(example = "456.18")]
    pub amount: String,
    pub claimed: Timestamp,
    pub withdrawn: Option<Timestamp>,
}

impl From<ClaimRow> for HospitalClaimView {
    fn from(c: ClaimRow) -> Self {
        Self {
            id: c.id,
            insurer: c.insurer_name,
            amount: c.amount.to_string(),
            claimed: c.claimed,
            withdrawn: c.withdrawn,
        }
    }
}

/// One entry of the access log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckView {
    pub insurer: String,
    pub checked: Timestamp,
    #[schema(value_type = crate::service::invoices::Verdict)]
    pub verdict: String,
}

impl From<CheckRow> for CheckView {
    fn from(c: CheckRow) -> Self {
        Self { insurer: c.insurer, checked: c.checked, verdict: c.verdict }
    }
}

/// A claim as its insurer sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClaimOut {
    /// The claim's id: the id of its `claim` record.
    pub id: EvidenceId,
    pub issuer: String,
    pub invoice_code: String,
    pub invoice_number: String,
    pub claim_reference: String,
    #[schema(example = "456.18")]
    pub amount: String,
    pub claimed: Timestamp,
    pub withdrawn: Option<Timestamp>,
    /// What remains reimbursable on the invoice now.
    #[schema(example = "304.12")]
    pub remaining: String,
    /// The `claim` record (its receipt proves the claim).
    pub evidence: EvidenceOut,
    /// The `claim-withdrawal` record, once withdrawn.
    pub withdrawal: Option<EvidenceOut>,
}

impl From<ClaimState> for ClaimOut {
    fn from(ClaimState { claim: c, remaining, record, withdrawal }: ClaimState) -> Self {
        Self {
            id: c.id,
            issuer: c.key.issuer,
            invoice_code: c.key.code,
            invoice_number: c.key.number,
            claim_reference: c.reference,
            amount: c.amount.to_string(),
            claimed: c.claimed,
            withdrawn: c.withdrawn,
            remaining: remaining.to_string(),
            evidence: record.into(),
            withdrawal: withdrawal.map(EvidenceOut::from),
        }
    }
}
