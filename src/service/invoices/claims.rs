//! Insurers claim part of an invoice's reimbursable amount and withdraw their claims. Each is
//! an evidence record the single writer applies after the ledger's rules allow it.

use serde_json::json;

use super::{Applied, key_json, operation_record, records, submit, unexpected, wrong_role};
use crate::domain::invoice::{Amount, Refusal};
use crate::domain::{EvidenceId, EvidenceKind, Hash, TenantRole};
use crate::ingest::Ingest;
use crate::service::Caller;
use crate::service::records::RecordState;
use crate::store::Store;
use crate::store::invoices::{ClaimRow, InvoiceKey, InvoiceOp, NewClaim, OpRefused, Withdrawal};

/// Why a claim was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// The caller is not an insurer.
    #[error("only an insurer claims")]
    RoleForbidden { actual: TenantRole },
    /// The amount is not an amount of more than zero ("456.18").
    #[error("the amount is not more than zero, as a string like \"456.18\"")]
    InvalidAmount,
    /// The reference is not 1-100 visible ASCII characters.
    #[error("the claim reference is not 1-100 visible ASCII characters")]
    InvalidReference,
    /// No invoice with this key and content hash: unknown and altered look alike.
    #[error("no such invoice")]
    NotFound,
    /// The invoice was voided.
    #[error("{}", Refusal::Voided)]
    Voided,
    /// The amount is more than what remains reimbursable.
    #[error("{}", Refusal::ExceedsRemaining { remaining: *remaining })]
    Exceeds { remaining: Amount },
    /// The caller used this reference before with another invoice or amount.
    #[error("this claim_reference was used before with another invoice or amount")]
    ReferenceReused,
    /// A server fault (storage, the writer).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Why a claim was not withdrawn.
#[derive(Debug, thiserror::Error)]
pub enum WithdrawError {
    /// The caller is not an insurer.
    #[error("only an insurer withdraws claims")]
    RoleForbidden { actual: TenantRole },
    /// No such claim of the caller's on this invoice.
    #[error("no such claim")]
    NotFound,
    /// The claim was already withdrawn.
    #[error("the claim was already withdrawn")]
    AlreadyWithdrawn,
    /// A server fault (storage, the writer).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A claim as the edges read it: the invoice's content hash, a positive amount and the
/// insurer's reference.
#[derive(Debug, Clone)]
pub struct ClaimRequest {
    pub content_hash: Hash,
    pub amount: Amount,
    pub reference: String,
}

impl ClaimRequest {
    /// Reads the amount (more than zero) and the reference (1-100 visible ASCII characters).
    pub fn parse(content_hash: Hash, amount: &str, reference: String) -> Result<Self, ClaimError> {
        let amount = amount.parse::<Amount>().ok().filter(|a| a.0 > 0).ok_or(ClaimError::InvalidAmount)?;
        if reference.is_empty() || reference.len() > 100 || !reference.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ClaimError::InvalidReference);
        }
        Ok(Self { content_hash, amount, reference })
    }
}

/// A claim as its insurer sees it now.
#[derive(Debug, Clone)]
pub struct ClaimState {
    pub claim: ClaimRow,
    /// What remains reimbursable on the invoice now.
    pub remaining: Amount,
    /// The `claim` record.
    pub record: RecordState,
    /// The `claim-withdrawal` record, once withdrawn.
    pub withdrawal: Option<RecordState>,
}

/// A recorded claim.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub claim: ClaimState,
    /// The caller sent this reference with this body before: this is that first claim.
    pub repeated: bool,
}

/// Claims `request.amount` of the invoice `key` for the calling insurer, atomically: never
/// past `reimbursable`, never on a voided invoice. A repeat with the same reference and body
/// returns the first claim.
pub async fn claim(
    store: &Store,
    ingest: &Ingest,
    caller: &Caller,
    key: InvoiceKey,
    request: ClaimRequest,
) -> Result<Claimed, ClaimError> {
    if let Some(actual) = wrong_role(caller, TenantRole::Insurer) {
        return Err(ClaimError::RoleForbidden { actual });
    }
    let ClaimRequest { content_hash, amount, reference } = request;
    let mut invoice = key_json(&key);
    invoice["content_hash"] = json!(content_hash);
    let document = json!({ "invoice": invoice, "amount": amount.to_string(), "claim_reference": reference });
    let op = InvoiceOp::Claim(NewClaim { key, invoice_hash: content_hash, amount, reference });
    let (id, repeated) = match submit(ingest, caller, op, operation_record(EvidenceKind::Claim, document)).await? {
        Applied::Created(record) => (record.id, false),
        Applied::Repeated(first) => (first, true),
        Applied::Refused(refused) => {
            return Err(match refused {
                OpRefused::NotFound => ClaimError::NotFound,
                OpRefused::Ledger(Refusal::Voided) => ClaimError::Voided,
                OpRefused::Ledger(Refusal::ExceedsRemaining { remaining }) => ClaimError::Exceeds { remaining },
                OpRefused::ClaimReferenceReused => ClaimError::ReferenceReused,
                other => unexpected(other).into(),
            });
        }
    };
    Ok(Claimed { claim: claim_state(store, &id).await?, repeated })
}

/// Withdraws the caller's claim `claim` on the invoice `key`: its amount is claimable again.
pub async fn withdraw(
    store: &Store,
    ingest: &Ingest,
    caller: &Caller,
    key: InvoiceKey,
    claim: EvidenceId,
) -> Result<ClaimState, WithdrawError> {
    if let Some(actual) = wrong_role(caller, TenantRole::Insurer) {
        return Err(WithdrawError::RoleForbidden { actual });
    }
    let document = json!({ "invoice": key_json(&key), "withdraws": claim });
    let op = InvoiceOp::Withdraw(Withdrawal { key, claim });
    match submit(ingest, caller, op, operation_record(EvidenceKind::ClaimWithdrawal, document)).await? {
        Applied::Created(_) => {}
        Applied::Refused(OpRefused::NotFound) => return Err(WithdrawError::NotFound),
        Applied::Refused(OpRefused::AlreadyWithdrawn) => return Err(WithdrawError::AlreadyWithdrawn),
        Applied::Refused(other) => return Err(unexpected(other).into()),
        Applied::Repeated(_) => return Err(anyhow::anyhow!("a withdrawal was answered as a repeated claim").into()),
    }
    Ok(claim_state(store, &claim).await?)
}

/// The claim `id` as its insurer sees it now: its records read together.
async fn claim_state(store: &Store, id: &EvidenceId) -> anyhow::Result<ClaimState> {
    let claim = store.claim(id).await?.ok_or_else(|| anyhow::anyhow!("the claim just written is missing"))?;
    let invoice = store.invoice(&claim.key).await?.ok_or_else(|| anyhow::anyhow!("a claim's invoice is missing"))?;
    let seqs: Vec<u64> = std::iter::once(claim.evidence_seq).chain(claim.withdrawal_seq).collect();
    let mut found = records(store, &seqs).await?.into_iter();
    let record = found.next().expect("the claim's record was asked for");
    Ok(ClaimState { claim, remaining: invoice.ledger.remaining(), record, withdrawal: found.next() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_request_needs_a_positive_amount_and_a_visible_ascii_reference() {
        let hash = Hash::of(b"invoice");
        let ok = ClaimRequest::parse(hash, "456.18", "CLM-1".into()).unwrap();
        assert_eq!((ok.amount, ok.reference.as_str()), (Amount(45618), "CLM-1"));
        for amount in ["0.00", "12", "1.5", "-1.00", ""] {
            let refused = ClaimRequest::parse(hash, amount, "CLM-1".into());
            assert!(matches!(refused, Err(ClaimError::InvalidAmount)), "{amount}");
        }
        for reference in [String::new(), "CLM 1".into(), "x".repeat(101), "CLM-é".into()] {
            let refused = ClaimRequest::parse(hash, "1.00", reference.clone());
            assert!(matches!(refused, Err(ClaimError::InvalidReference)), "{reference}");
        }
        assert!(ClaimRequest::parse(hash, "1.00", "x".repeat(100)).is_ok());
    }
}
