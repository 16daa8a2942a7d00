//! The owner's lookup by content hash across epochs of the content index (migration 0010):
//! records with the same hash in different epochs and of different owners.

use super::SqliteStore;
use super::evidence::insert_evidence;
use crate::domain::{EvidenceId, EvidenceKind, Hash, TenantId, TenantRole};
use crate::store::writer::{Outcome, Submission};
use crate::store::{EvidenceRecord, EvidenceStore, NewEvidence, Storage, TenantStore};

fn item(content: &[u8]) -> NewEvidence {
    NewEvidence { kind: EvidenceKind::Document, content_hash: Hash::of(content), metadata: None }
}

async fn write(store: &SqliteStore, owner: TenantId, contents: &[&[u8]]) -> Vec<EvidenceRecord> {
    let mut writer = store.writer().await.unwrap();
    let items = contents.iter().map(|c| item(c)).collect();
    match writer.write(&[Submission::records(owner, items, None)]).await.unwrap().remove(0) {
        Outcome::Created(records) => records,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_lookup_finds_the_owners_records_in_every_epoch_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let (a, _) = store.create_tenant("A", TenantRole::Merchant, None).await.unwrap();
    let (b, _) = store.create_tenant("B", TenantRole::Merchant, None).await.unwrap();
    let first = write(&store, a.id, &[b"x", b"y"]).await;
    let theirs = write(&store, b.id, &[b"x"]).await;

    // A record two epochs on (seq 2 × 65,536 + 7): the writer numbers on after it.
    let far = EvidenceRecord { seq: 2 * 65_536 + 7, id: EvidenceId::generate(), ..first[1].clone() };
    let mut conn = store.writer_connection().await.unwrap();
    insert_evidence(&mut conn, &[&far]).await.unwrap();
    drop(conn);
    let later = write(&store, a.id, &[b"z", b"x"]).await;
    assert_eq!(later[1].seq, 2 * 65_536 + 9);

    let seqs = |records: Vec<EvidenceRecord>| records.iter().map(|r| r.seq).collect::<Vec<_>>();
    let x = Hash::of(b"x");
    assert_eq!(seqs(store.evidence_by_content(&a.id, &x, 10).await.unwrap()), vec![first[0].seq, later[1].seq]);
    assert_eq!(seqs(store.evidence_by_content(&a.id, &x, 1).await.unwrap()), vec![first[0].seq]);
    assert_eq!(seqs(store.evidence_by_content(&b.id, &x, 10).await.unwrap()), vec![theirs[0].seq]);
    let y = Hash::of(b"y");
    assert_eq!(seqs(store.evidence_by_content(&a.id, &y, 10).await.unwrap()), vec![first[1].seq, far.seq]);
    assert!(store.evidence_by_content(&b.id, &y, 10).await.unwrap().is_empty());
    assert!(store.evidence_by_content(&a.id, &Hash::of(b"never"), 10).await.unwrap().is_empty());
    // Same first 8 bytes, another hash: not a match.
    let mut twin = x;
    twin.0[31] ^= 1;
    assert!(store.evidence_by_content(&a.id, &twin, 10).await.unwrap().is_empty());
}
