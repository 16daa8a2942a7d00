//! Invoices: concurrent claims through the service operation on two stores (two API nodes)
//! never claim past the reimbursable amount, and erasure leaves neither the body nor the salt
//! in the tables.

use std::sync::Arc;

use notarium::domain::invoice::Amount;
use notarium::domain::{EvidenceKind, Hash, TenantId, TenantRole};
use notarium::ingest::Ingest;
use notarium::service::Caller;
use notarium::service::invoices::{self, ClaimError, ClaimRequest};
use notarium::store::invoices::{Erasure, InvoiceKey, InvoiceOp, NewInvoice};
use notarium::store::writer::{Outcome, Submission};
use notarium::store::{EvidenceRecord, NewEvidence, Store};
use tokio::sync::Notify;

use crate::{Backend, on_both_backends};

on_both_backends!(
    fifty_claims_from_two_stores_take_exactly_the_reimbursable_amount,
    an_erased_invoice_leaves_no_body_or_salt
);

/// 100.00, in cents.
const REIMBURSABLE: Amount = Amount(10_000);

fn key() -> InvoiceKey {
    InvoiceKey { issuer: "H1".into(), code: "044001".into(), number: "00000042".into() }
}

fn record(kind: EvidenceKind, content: &[u8]) -> NewEvidence {
    NewEvidence { kind, content_hash: Hash::of(content), metadata: None }
}

/// Issues the invoice (reimbursable 100.00) with `body`; returns its hospital and record.
async fn issue(store: &Store, body: &str) -> (TenantId, EvidenceRecord) {
    let (hospital, _) = store.create_tenant("Hospital", TenantRole::Hospital, Some("H1")).await.unwrap();
    let op = InvoiceOp::Issue(NewInvoice {
        key: key(),
        currency: "CNY".into(),
        total: Amount(15_000),
        reimbursable: REIMBURSABLE,
        body: body.into(),
        signature: None,
    });
    let submission = Submission::invoice_op(hospital.id, op, record(EvidenceKind::Invoice, body.as_bytes()));
    match store.writer().await.unwrap().write(&[submission]).await.unwrap().remove(0) {
        Outcome::Created(mut records) => (hospital.id, records.remove(0)),
        other => panic!("{other:?}"),
    }
}

async fn fifty_claims_from_two_stores_take_exactly_the_reimbursable_amount(backend: Backend) {
    let (one, two) = (backend.open().await, backend.open().await);
    let (_, invoice) = issue(&one, r#"{"invoice":"race"}"#).await;
    let (insurer, _) = one.create_tenant("Insurer", TenantRole::Insurer, None).await.unwrap();
    // Five group-committing writers per store, as `ingest` runs them: ten writers in all.
    let mut ingests = Vec::new();
    for store in [&one, &two] {
        for _ in 0..5 {
            ingests.push((store.clone(), Ingest::start(store.writer().await.unwrap(), Arc::new(Notify::new())).0));
        }
    }
    // Through the service operation, as the API's handlers call it, each writer with its store.
    let caller = Caller(insurer);
    let claims = (0..50).map(|i| {
        let (store, ingest) = ingests[i % ingests.len()].clone();
        let (caller, hash) = (caller.clone(), invoice.content_hash);
        tokio::spawn(async move {
            let request = ClaimRequest::parse(hash, "10.00", format!("CLM-{i}")).unwrap();
            invoices::claim(&store, &ingest, &caller, key(), request).await
        })
    });
    let outcomes: Vec<_> = futures_util::future::join_all(claims).await.into_iter().map(|o| o.unwrap()).collect();
    let accepted = outcomes.iter().filter(|o| matches!(o, Ok(claimed) if !claimed.repeated)).count();
    let exceeded = outcomes.iter().filter(|o| matches!(o, Err(ClaimError::Exceeds { .. }))).count();
    assert_eq!((accepted, exceeded), (10, 40), "{outcomes:?}");
    let ledger = two.invoice(&key()).await.unwrap().unwrap().ledger;
    assert_eq!((ledger.claimed, ledger.active_claims), (REIMBURSABLE, 10));
    let claims = one.claims_of(&key()).await.unwrap();
    assert_eq!(claims.len(), 10);
    assert_eq!(Amount::sum(claims.iter().map(|c| &c.amount)), Some(REIMBURSABLE));
    // The invoice and the ten claims, numbered without a gap.
    assert_eq!(one.evidence_count().await.unwrap(), 11);
    assert_eq!(one.max_seq().await.unwrap(), Some(10));
}

async fn an_erased_invoice_leaves_no_body_or_salt(backend: Backend) {
    let store = backend.open().await;
    let secret = "PATIENT-7f3a9c-SECRET";
    let (hospital, invoice) = issue(&store, &format!(r#"{{"patient":"{secret}"}}"#)).await;
    let salt = invoice.salt.expect("a fresh record's salt");
    assert_eq!(backend.rows_holding(secret, salt.as_bytes()).await, 2, "before: the body and the salt");
    let (other, _) = store.create_tenant("Other", TenantRole::Hospital, Some("H2")).await.unwrap();
    assert_eq!(store.erase_invoice(&key(), &other.id).await.unwrap(), Erasure::NotFound);
    assert_eq!(store.erase_invoice(&key(), &hospital).await.unwrap(), Erasure::Erased);
    assert_eq!(store.erase_invoice(&key(), &hospital).await.unwrap(), Erasure::AlreadyErased);
    let row = store.invoice(&key()).await.unwrap().unwrap();
    assert!(row.body.is_none() && row.erased.is_some(), "{row:?}");
    let erased = store.evidence_by_id(&invoice.id).await.unwrap().unwrap();
    assert_eq!((erased.salt, erased.leaf_hash), (None, invoice.leaf_hash), "the leaf hash stays");
    assert_eq!(backend.rows_holding(secret, salt.as_bytes()).await, 0, "after: no row holds either");
}
