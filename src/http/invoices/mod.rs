//! `/v1/invoices`: hospitals issue, list, void and erase; insurers check, claim and withdraw
//! (docs/invoices.md). The decisions that must never race (a second issuance, a claim over the
//! remaining amount, a void with active claims) are made by the single evidence writer.

pub(crate) mod check;
pub(crate) mod claims;
pub(crate) mod issue;
mod views;

use actix_web::http::StatusCode;
use actix_web::web;
use serde_json::{Value, json};

use super::auth::Caller;
pub use super::auth::require_role;
use super::evidence::EvidenceOut;
use crate::domain::canonical::canonical_json;
use crate::domain::invoice::{Refusal, valid_code};
use crate::domain::{EvidenceKind, Hash};
use crate::ingest::Ingest;
use crate::problem::Problem;
use crate::store::invoices::{InvoiceKey, InvoiceOp, OpRefused};
use crate::store::writer::{Outcome, Submission};
use crate::store::{EvidenceRecord, NewEvidence, Store};

pub use check::{CheckOut, Verdict, check_invoice};
pub use claims::{ClaimIn, claim_invoice, void_invoice};
pub use issue::{invoice_detail, own_invoice};
pub use views::{ClaimOut, InvoiceDetail, InvoiceOut};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/invoices", web::post().to(issue::issue))
        .route("/v1/invoices", web::get().to(issue::list))
        .route("/v1/invoices/check", web::post().to(check::check))
        .route("/v1/invoices/{issuer}/{code}/{number}", web::get().to(issue::detail))
        .route("/v1/invoices/{issuer}/{code}/{number}/content", web::delete().to(issue::erase))
        .route("/v1/invoices/{issuer}/{code}/{number}/void", web::post().to(claims::void))
        .route("/v1/invoices/{issuer}/{code}/{number}/claims", web::post().to(claims::claim))
        .route("/v1/invoices/{issuer}/{code}/{number}/claims/{claim_id}/withdraw", web::post().to(claims::withdraw));
}

/// The invoice named by a path; a malformed part is `404` like an unknown invoice.
pub(crate) fn path_key(issuer: String, code: String, number: String) -> Result<InvoiceKey, Problem> {
    if [&issuer, &code, &number].iter().all(|s| valid_code(s)) {
        Ok(InvoiceKey { issuer, code, number })
    } else {
        Err(Problem::not_found())
    }
}

/// The key as the JSON of the records that reference an invoice.
fn key_json(key: &InvoiceKey) -> Value {
    json!({ "issuer": key.issuer, "invoice_code": key.code, "invoice_number": key.number })
}

/// The record an operation creates: its content is the canonical JSON of `document`, which is
/// also its metadata (no payer data ever goes into one).
fn operation_record(kind: EvidenceKind, document: Value) -> NewEvidence {
    let content_hash = Hash::of(&canonical_json(&document));
    let Value::Object(metadata) = document else { unreachable!("operation documents are objects") };
    NewEvidence { kind, content_hash, metadata: Some(metadata) }
}

/// Runs an operation through the writer: its record, or the refusal as a problem.
async fn run(ingest: &Ingest, caller: &Caller, op: InvoiceOp, record: NewEvidence) -> Result<Applied, Problem> {
    match ingest.submit(Submission::invoice_op(caller.0.id, op, record)).await? {
        Outcome::Created(mut records) if records.len() == 1 => Ok(Applied::Created(records.remove(0))),
        Outcome::Refused(OpRefused::ClaimRepeated(first)) => Ok(Applied::Repeated(first)),
        Outcome::Refused(refused) => Err(refusal_problem(refused)),
        other => {
            Err(Problem::internal(&anyhow::anyhow!("unexpected writer outcome for an invoice operation: {other:?}")))
        }
    }
}

enum Applied {
    Created(EvidenceRecord),
    /// The caller's earlier claim with the same reference and body.
    Repeated(crate::domain::EvidenceId),
}

fn refusal_problem(refused: OpRefused) -> Problem {
    match refused {
        OpRefused::InvoiceExists => Problem::new(
            StatusCode::CONFLICT,
            "invoice_exists",
            "this issuer already issued an invoice with this invoice_code and invoice_number",
        ),
        OpRefused::NotFound => Problem::not_found(),
        OpRefused::Ledger(r @ Refusal::Voided) => Problem::new(StatusCode::CONFLICT, "invoice_voided", r.to_string()),
        OpRefused::Ledger(r @ Refusal::ExceedsRemaining { remaining }) => {
            Problem::new(StatusCode::CONFLICT, "amount_exceeds_remaining", r.to_string())
                .with("remaining", remaining.to_string())
        }
        OpRefused::Ledger(r @ Refusal::Claimed { active }) => {
            Problem::new(StatusCode::CONFLICT, "invoice_claimed", r.to_string()).with("active_claims", active)
        }
        OpRefused::ClaimReferenceReused => Problem::new(
            StatusCode::CONFLICT,
            "claim_reference_reused",
            "this claim_reference was used before with another invoice or amount",
        ),
        OpRefused::AlreadyWithdrawn => {
            Problem::new(StatusCode::CONFLICT, "claim_withdrawn", "the claim was already withdrawn")
        }
        OpRefused::ClaimRepeated(_) => Problem::internal(&anyhow::anyhow!("a repeated claim is not a refusal")),
    }
}

/// The record behind an invoice, claim or void, as its owner sees it.
async fn record_out(store: &Store, seq: u64) -> Result<EvidenceOut, Problem> {
    let record = store.evidence_range(seq, 1).await?.into_iter().next();
    let record = record.ok_or_else(|| Problem::internal(&anyhow::anyhow!("record {seq} is missing")))?;
    EvidenceOut::of(store, record).await
}
