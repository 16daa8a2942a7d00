//! Leaf v2's `meta_salt`: drawn for every new record (distinct from its `salt` and from every
//! other record's), stored, read back by every read; a row without one (a record registered
//! before leaf v2) reads back as leaf v1.

use notarium::domain::canonical::{meta_commitment, meta_hash};
use notarium::domain::leaf::LeafVersion;
use notarium::domain::{EvidenceKind, Hash, Metadata, TenantRole};
use notarium::store::NewEvidence;
use notarium::store::writer::{Outcome, Submission};
use serde_json::json;

use crate::{Backend, on_both_backends};

on_both_backends!(new_records_keep_their_meta_salt_and_older_rows_read_as_leaf_v1);

async fn new_records_keep_their_meta_salt_and_older_rows_read_as_leaf_v1(backend: Backend) {
    let store = backend.open().await;
    let owner = store.create_tenant("Shop", TenantRole::Merchant, None).await.unwrap().0.id;
    let metadata: Metadata = serde_json::from_value(json!({"patient": "secret", "title": "contract 42"})).unwrap();
    let item = |c: &[u8], metadata: Option<Metadata>| NewEvidence {
        kind: EvidenceKind::Contract,
        content_hash: Hash::of(c),
        metadata,
    };
    let mut writer = store.writer().await.unwrap();
    let items = vec![item(b"a", Some(metadata.clone())), item(b"b", None), item(b"c", Some(metadata.clone()))];
    let Outcome::Created(written) = writer.write(&[Submission::records(owner, items, None)]).await.unwrap().remove(0)
    else {
        panic!("created")
    };

    let mut salts = Vec::new();
    for w in &written {
        let meta_salt = w.meta_salt.expect("every new record has a meta_salt");
        assert_ne!(Some(meta_salt), w.salt);
        assert_eq!(w.meta_hash, meta_commitment(Some(&meta_salt), w.metadata.as_ref()));
        let leaf = w.leaf().unwrap();
        assert_eq!(leaf.version, LeafVersion::V2);
        assert_eq!(leaf.hash(), w.leaf_hash);
        salts.push(meta_salt);
        // Every read gives it back.
        assert_eq!(store.evidence_by_id(&w.id).await.unwrap().as_ref(), Some(w));
        assert_eq!(&store.evidence_by_content(&owner, &w.content_hash, 5).await.unwrap(), std::slice::from_ref(w));
    }
    assert_eq!(store.evidence_range(0, 3).await.unwrap(), written);
    assert_eq!(store.records_at(&[2, 0]).await.unwrap(), vec![written[2].clone(), written[0].clone()]);
    salts.sort_unstable();
    salts.dedup();
    assert_eq!(salts.len(), 3, "fresh per record");
    assert_ne!(written[0].meta_hash, written[2].meta_hash, "the same metadata, other salts");

    // A row of a record registered before leaf v2: no meta_salt, the unsalted meta_hash.
    let mut older = written[0].clone();
    older.meta_salt = None;
    older.meta_hash = meta_hash(Some(&metadata));
    let leaf = older.leaf().unwrap();
    assert_eq!(leaf.version, LeafVersion::V1);
    older.leaf_hash = leaf.hash();
    backend.as_registered_before_v2(0, older.meta_hash.as_bytes(), older.leaf_hash.as_bytes()).await;
    assert_eq!(store.evidence_by_id(&older.id).await.unwrap(), Some(older));
}
