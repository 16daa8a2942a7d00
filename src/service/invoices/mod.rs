//! The invoice operations (docs/invoices.md): hospitals issue, list, read, erase and void;
//! insurers check, claim and withdraw. Each is one function here with typed input and a typed
//! outcome or error; `http::invoices` and `pages::invoices` only parse and map.
//!
//! The decisions that must never race (a second issuance, a claim over the remaining amount, a
//! void with active claims) are `InvoiceOp`s the single evidence writer applies in its
//! transaction after the ledger's rules (`domain::invoice::Ledger`); an operation here builds
//! the op and its record, submits it through [`Ingest`] and turns a refusal into its error.

mod check;
mod claims;
mod issue;
mod read;
mod void;

pub use check::{CheckError, Checked, Found, UnknownLog, Verdict, check};
pub use claims::{ClaimError, ClaimRequest, ClaimState, Claimed, WithdrawError, claim, withdraw};
pub use issue::{IssueError, issue};
pub use read::{InvoiceDetails, InvoiceError, detail, erase, list, list_details};
pub use void::{VoidError, void};

use serde_json::{Value, json};

use super::Caller;
use super::records::{RecordState, with_status};
use crate::domain::canonical::canonical_json;
use crate::domain::invoice::valid_code;
use crate::domain::{EvidenceId, EvidenceKind, Hash, TenantRole};
use crate::ingest::Ingest;
use crate::store::invoices::{InvoiceKey, InvoiceOp, InvoiceRow, OpRefused};
use crate::store::writer::{Outcome, Submission};
use crate::store::{EvidenceRecord, NewEvidence, Store};

/// An invoice body: 1,000 lines of 200-character texts fit easily.
pub const MAX_INVOICE_BYTES: usize = 1 << 20;

/// An invoice and its record, as its hospital sees them.
#[derive(Debug, Clone)]
pub struct InvoiceState {
    pub row: InvoiceRow,
    pub record: RecordState,
}

/// The invoice named by three path or form parts; `None` when one is malformed (the edges
/// answer that like an unknown invoice).
pub fn invoice_key(issuer: String, code: String, number: String) -> Option<InvoiceKey> {
    [&issuer, &code, &number].iter().all(|s| valid_code(s)).then_some(InvoiceKey { issuer, code, number })
}

/// The caller's role when it is not `required`.
fn wrong_role(caller: &Caller, required: TenantRole) -> Option<TenantRole> {
    (caller.0.role != required).then_some(caller.0.role)
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

/// What the writer did with an operation.
enum Applied {
    Created(Box<EvidenceRecord>),
    /// The caller's earlier claim with the same reference and body.
    Repeated(EvidenceId),
    /// Nothing was written; the operation's own function says what this means for it.
    Refused(OpRefused),
}

/// Runs an operation through the single writer.
async fn submit(ingest: &Ingest, caller: &Caller, op: InvoiceOp, record: NewEvidence) -> anyhow::Result<Applied> {
    match ingest.submit(Submission::invoice_op(caller.0.id, op, record)).await? {
        Outcome::Created(mut records) if records.len() == 1 => Ok(Applied::Created(Box::new(records.remove(0)))),
        Outcome::Refused(OpRefused::ClaimRepeated(first)) => Ok(Applied::Repeated(first)),
        Outcome::Refused(refused) => Ok(Applied::Refused(refused)),
        other => anyhow::bail!("unexpected writer outcome for an invoice operation: {other:?}"),
    }
}

/// A refusal the operation cannot get (the writer refuses each op only in its own ways).
fn unexpected(refused: OpRefused) -> anyhow::Error {
    anyhow::anyhow!("unexpected refusal of an invoice operation: {refused:?}")
}

/// The invoices with their records' status, in the order given: two statements for all.
async fn states(store: &Store, rows: Vec<InvoiceRow>) -> anyhow::Result<Vec<InvoiceState>> {
    let seqs: Vec<u64> = rows.iter().map(|r| r.evidence_seq).collect();
    let records = with_status(store, store.records_at(&seqs).await?).await?;
    Ok(rows.into_iter().zip(records).map(|(row, record)| InvoiceState { row, record }).collect())
}

/// The records with these sequence numbers and their status, in the order given.
async fn records(store: &Store, seqs: &[u64]) -> anyhow::Result<Vec<RecordState>> {
    with_status(store, store.records_at(seqs).await?).await
}
