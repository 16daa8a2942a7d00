//! The rest of the traits, each call once on both backends: tenants and keys, client
//! certificates, sessions, image rows, the audit's reads and cursor, and the invoice reads,
//! void and withdrawal.

use std::time::Duration;

use notarium::crypto::client_cert::ClientCertificate;
use notarium::domain::invoice::Amount;
use notarium::domain::{EvidenceKind, Hash, TenantRole, Timestamp};
use notarium::fingerprint::pdq::Pdq;
use notarium::store::invoices::{InvoiceKey, InvoiceOp, NewClaim, NewInvoice, VoidInvoice, Withdrawal};
use notarium::store::writer::{Outcome, Submission};
use notarium::store::{AuditCursor, BlockRow, NewEvidence, NewImage, Store, hash_api_key};

use crate::{Backend, on_both_backends};

on_both_backends!(tenants_keys_certificates_and_sessions, images_audit_and_invoice_reads);

async fn tenants_keys_certificates_and_sessions(backend: Backend) {
    let store = backend.open().await;
    let (shop, key) = store.create_tenant("Shop", TenantRole::Merchant, None).await.unwrap();
    let (clinic, _) = store.create_tenant("Clinic", TenantRole::Hospital, Some("H9")).await.unwrap();
    assert!(store.create_tenant("Twin", TenantRole::Hospital, Some("H9")).await.is_err(), "issuer codes are unique");
    assert_eq!(store.tenant(&clinic.id).await.unwrap(), Some(clinic.clone()));
    assert_eq!(store.tenant_by_key_hash(&hash_api_key(&key)).await.unwrap().map(|t| t.id), Some(shop.id));
    let second = store.add_api_key(&shop.id, "second").await.unwrap();
    let mut counts: Vec<(String, u64)> =
        store.tenants_with_active_keys().await.unwrap().into_iter().map(|(t, n)| (t.name, n)).collect();
    counts.sort();
    assert_eq!(counts, [("Clinic".to_owned(), 1), ("Shop".to_owned(), 2)]);
    assert!(store.revoke_api_key(&second).await.unwrap());
    assert!(!store.revoke_api_key(&second).await.unwrap());
    assert!(store.tenant_by_key_hash(&hash_api_key(&second)).await.unwrap().is_none());
    assert_eq!(store.api_keys(&shop.id).await.unwrap().iter().filter(|k| k.revoked.is_some()).count(), 1);

    let cert = ClientCertificate { fingerprint: [7; 32], subject: "CN=shop".into(), not_after_ms: 4_000_000_000_000 };
    assert!(store.add_client_cert(&shop.id, &cert).await.unwrap());
    assert!(!store.add_client_cert(&shop.id, &cert).await.unwrap(), "already mapped");
    assert_eq!(store.tenant_by_client_cert(&[7; 32]).await.unwrap().map(|t| t.id), Some(shop.id));
    assert!(store.revoke_client_cert(&[7; 32]).await.unwrap());
    assert!(store.add_client_cert(&shop.id, &cert).await.unwrap(), "a revoked mapping is reinstated");
    assert_eq!(store.client_certs(&shop.id).await.unwrap().len(), 1);

    let (token, session) = store.open_session(&key, Duration::from_secs(60)).await.unwrap().unwrap();
    assert_eq!(store.session(&token).await.unwrap().map(|s| s.csrf), Some(session.csrf));
    assert!(store.open_session("ntk_unknown", Duration::from_secs(60)).await.unwrap().is_none());
    assert!(store.set_tenant_disabled(&shop.id, true).await.unwrap());
    assert!(store.session(&token).await.unwrap().is_none(), "a disabled tenant's session is over");
    assert!(store.tenant_by_key_hash(&hash_api_key(&key)).await.unwrap().is_none());
    store.set_tenant_disabled(&shop.id, false).await.unwrap();
    assert!(store.close_session(&token).await.unwrap());
    assert!(!store.close_session(&token).await.unwrap());
    assert_eq!(store.revoke_api_keys(&shop.id).await.unwrap(), 1);
    assert_eq!(store.list_tenants().await.unwrap().len(), 2);
}

fn evidence(kind: EvidenceKind, content: &[u8]) -> NewEvidence {
    NewEvidence { kind, content_hash: Hash::of(content), metadata: None }
}

async fn write_one(store: &Store, s: Submission) -> u64 {
    match store.writer().await.unwrap().write(&[s]).await.unwrap().remove(0) {
        Outcome::Created(records) => records[0].seq,
        other => panic!("{other:?}"),
    }
}

async fn images_audit_and_invoice_reads(backend: Backend) {
    let store = backend.open().await;
    let (shop, _) = store.create_tenant("Shop", TenantRole::Merchant, None).await.unwrap();
    let image = NewImage { public: true, fingerprints: vec![Pdq([1, 2, 3, 4])], thumbnail: vec![0xff, 0xd8] };
    let photo = evidence(EvidenceKind::Image, b"photo");
    let seq = write_one(&store, Submission::image(shop.id, photo, image.clone(), None)).await;
    let mut seen = Vec::new();
    store.for_each_image_fingerprints(|s, p| seen.push((s, p.to_vec()))).await.unwrap();
    assert_eq!(seen, [(seq, image.fingerprints.clone())]);
    assert_eq!(store.images_with_content(&Hash::of(b"photo"), 5).await.unwrap(), [seq]);
    assert!(store.image(seq).await.unwrap().unwrap().public);
    assert_eq!(store.images(&[seq, seq + 9]).await.unwrap().len(), 1);
    assert_eq!(store.image_thumbnail(seq).await.unwrap(), Some(image.thumbnail));

    let block = BlockRow {
        height: 0,
        first_seq: 0,
        leaf_count: 1,
        header: "h".into(),
        block_hash: Hash::of(b"h"),
        sealed: Timestamp::now(),
        anchored: None,
    };
    store.insert_block(&block, &[Hash::of(b"t")]).await.unwrap();
    assert_eq!(store.max_height().await.unwrap(), Some(0));
    assert!(store.blocks_for_audit(0, 5, 10).await.unwrap()[0].1.is_ok());
    assert!(store.evidence_for_audit(0, 1).await.unwrap()[0].1.is_ok());
    assert!(store.cosignatures_for_audit(0, 5).await.unwrap().is_empty());
    assert_eq!(store.tiles_for_audit(0, 5).await.unwrap().len(), 1);
    assert_eq!(store.leaf_hashes(0, 1).await.unwrap().len(), 1);
    let cursor = AuditCursor {
        height: 0,
        block_hash: block.block_hash,
        log: "test/log".parse().unwrap(),
        end_seq: 1,
        audited: Timestamp::now(),
    };
    store.set_audit_cursor(&cursor).await.unwrap();
    store.set_audit_cursor(&cursor).await.unwrap();
    assert_eq!(store.audit_cursor().await.unwrap(), Some(cursor));

    let (clinic, _) = store.create_tenant("Clinic", TenantRole::Hospital, Some("H1")).await.unwrap();
    let (insurer, _) = store.create_tenant("Insurer", TenantRole::Insurer, None).await.unwrap();
    let key = InvoiceKey { issuer: "H1".into(), code: "C".into(), number: "1".into() };
    let issue = InvoiceOp::Issue(NewInvoice {
        key: key.clone(),
        currency: "CNY".into(),
        total: Amount(500),
        reimbursable: Amount(500),
        body: "{}".into(),
        signature: Some((vec![1, 2], "CN=clinic".into())),
    });
    let invoice_seq =
        write_one(&store, Submission::invoice_op(clinic.id, issue.clone(), evidence(EvidenceKind::Invoice, b"{}")))
            .await;
    let again = store
        .writer()
        .await
        .unwrap()
        .write(&[Submission::invoice_op(clinic.id, issue, evidence(EvidenceKind::Invoice, b"{}"))])
        .await
        .unwrap();
    assert!(matches!(&again[0], Outcome::Refused(_)), "{again:?}");
    let claim = InvoiceOp::Claim(NewClaim {
        key: key.clone(),
        invoice_hash: Hash::of(b"{}"),
        amount: Amount(200),
        reference: "R1".into(),
    });
    let claim_seq =
        write_one(&store, Submission::invoice_op(insurer.id, claim, evidence(EvidenceKind::Claim, b"c1"))).await;
    let claim_id = store.records_at(&[claim_seq]).await.unwrap()[0].id;
    assert_eq!(store.claim(&claim_id).await.unwrap().map(|c| c.insurer_name), Some("Insurer".to_owned()));
    let withdraw = InvoiceOp::Withdraw(Withdrawal { key: key.clone(), claim: claim_id });
    write_one(&store, Submission::invoice_op(insurer.id, withdraw, evidence(EvidenceKind::ClaimWithdrawal, b"w1")))
        .await;
    let void = InvoiceOp::Void(VoidInvoice { key: key.clone(), reason: "typo".into() });
    write_one(&store, Submission::invoice_op(clinic.id, void, evidence(EvidenceKind::InvoiceVoid, b"v1"))).await;
    let row = store.invoice(&key).await.unwrap().unwrap();
    assert_eq!(
        (row.evidence_seq, row.ledger.claimed, row.ledger.voided, row.signer.as_deref()),
        (invoice_seq, Amount(0), true, Some("CN=clinic"))
    );
    assert_eq!(store.invoices_of(&clinic.id, None, 10).await.unwrap().len(), 1);
    assert!(store.claims_of(&key).await.unwrap()[0].withdrawn.is_some());
    assert_eq!(store.claims_of_invoices(std::slice::from_ref(&key)).await.unwrap().len(), 1);
    for verdict in ["match", "mismatch", "match"] {
        store.record_check(&key, &insurer.id, verdict).await.unwrap();
    }
    let verdicts: Vec<String> = store.checks_of(&key, 2).await.unwrap().into_iter().map(|c| c.verdict).collect();
    assert_eq!(verdicts, ["match", "mismatch"], "newest first");
    assert_eq!(store.checks_of_invoices(std::slice::from_ref(&key), 2).await.unwrap().len(), 2);
    assert!(store.writable().await);
}
