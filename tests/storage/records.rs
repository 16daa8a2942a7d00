//! Evidence records: sequence numbers allocated inside the write transaction (two stores on
//! one database), idempotency keys, and the owner's lookup by content hash across epochs.

use notarium::domain::{EvidenceKind, Hash, TenantId, TenantRole};
use notarium::store::writer::{Outcome, RecordWriter, Submission};
use notarium::store::{EvidenceRecord, NewEvidence, Store};

use crate::{Backend, on_both_backends};

on_both_backends!(
    two_stores_number_without_gaps_or_repeats,
    a_repeated_key_in_one_group_replays_the_first_records,
    a_lookup_finds_the_owners_records_in_every_epoch_oldest_first,
);

fn items(n: usize, tag: u8) -> Vec<NewEvidence> {
    (0..n)
        .map(|i| NewEvidence { kind: EvidenceKind::Document, content_hash: Hash::of(&[tag, i as u8]), metadata: None })
        .collect()
}

async fn tenant(store: &Store) -> TenantId {
    store.create_tenant("Shop", TenantRole::Merchant, None).await.unwrap().0.id
}

async fn written(writer: &mut dyn RecordWriter, owner: TenantId, items: Vec<NewEvidence>) -> Vec<EvidenceRecord> {
    match writer.write(&[Submission::records(owner, items, None)]).await.unwrap().remove(0) {
        Outcome::Created(records) => records,
        other => panic!("{other:?}"),
    }
}

async fn created(writer: &mut dyn RecordWriter, owner: TenantId, n: usize, tag: u8) -> Vec<u64> {
    written(writer, owner, items(n, tag)).await.iter().map(|r| r.seq).collect()
}

async fn two_stores_number_without_gaps_or_repeats(backend: Backend) {
    let (one, two) = (backend.open().await, backend.open().await);
    let (mut a, mut b) = (one.writer().await.unwrap(), two.writer().await.unwrap());
    let owner = tenant(&one).await;
    let mut seqs = Vec::new();
    // Interleaved: each writer must see what the other committed since its last write.
    for round in 0..4u8 {
        seqs.extend(created(a.as_mut(), owner, 3, round).await);
        seqs.extend(created(b.as_mut(), owner, 2, round + 100).await);
    }
    assert_eq!(seqs, (0..20).collect::<Vec<u64>>());
    // And at the same time, many groups each: the numbers stay distinct and dense.
    let run = |mut w: Box<dyn RecordWriter>, tag: u8| async move {
        let mut mine = Vec::new();
        for round in 0..10u8 {
            mine.extend(created(w.as_mut(), owner, 10, tag.wrapping_add(round)).await);
        }
        mine
    };
    let (x, y) = tokio::join!(run(a, 7), run(b, 57));
    let mut all: Vec<u64> = x.into_iter().chain(y).collect();
    all.sort_unstable();
    assert_eq!(all, (20..220).collect::<Vec<u64>>());
    assert_eq!(one.max_seq().await.unwrap(), Some(219));
    assert_eq!(two.evidence_count().await.unwrap(), 220);
    assert_eq!(one.evidence_range(0, 300).await.unwrap().len(), 220);
}

async fn a_repeated_key_in_one_group_replays_the_first_records(backend: Backend) {
    let store = backend.open().await;
    let mut writer = store.writer().await.unwrap();
    let owner = tenant(&store).await;
    created(writer.as_mut(), owner, 1, 1).await;
    let key = || Some(("k".to_owned(), Hash::of(b"body")));
    let group = [
        Submission::records(owner, items(2, 2), key()),
        Submission::records(owner, items(2, 2), key()),
        Submission::records(owner, items(2, 3), Some(("k".to_owned(), Hash::of(b"other")))),
    ];
    let outcomes = writer.write(&group).await.unwrap();
    assert!(matches!(&outcomes[0], Outcome::Created(r) if r.iter().map(|r| r.seq).eq([1, 2])), "{outcomes:?}");
    assert!(matches!(&outcomes[1], Outcome::Replayed(r) if r.first_seq == 1 && r.count == 2), "{outcomes:?}");
    assert!(matches!(outcomes[2], Outcome::KeyReused), "{outcomes:?}");
    // From another store (another process) too.
    let mut other = backend.open().await.writer().await.unwrap();
    let again = other.write(&[Submission::records(owner, items(2, 2), key())]).await.unwrap();
    assert!(matches!(&again[0], Outcome::Replayed(r) if r.first_seq == 1 && r.count == 2), "{again:?}");
    assert_eq!(store.max_seq().await.unwrap(), Some(2), "a replay writes nothing");
}

async fn a_lookup_finds_the_owners_records_in_every_epoch_oldest_first(backend: Backend) {
    let store = backend.open().await;
    let (a, _) = store.create_tenant("A", TenantRole::Merchant, None).await.unwrap();
    let (b, _) = store.create_tenant("B", TenantRole::Merchant, None).await.unwrap();
    let mut writer = store.writer().await.unwrap();
    let item = |c: &[u8]| NewEvidence { kind: EvidenceKind::Document, content_hash: Hash::of(c), metadata: None };
    let first = written(writer.as_mut(), a.id, vec![item(b"x"), item(b"y")]).await;
    let theirs = written(writer.as_mut(), b.id, vec![item(b"x")]).await;

    // A copy of `y` two epochs on (seq 2 × 65,536 + 7): the writer numbers on after it.
    let far = 2 * 65_536 + 7;
    backend.copy_record(first[1].seq, far).await;
    let later = written(writer.as_mut(), a.id, vec![item(b"z"), item(b"x")]).await;
    assert_eq!(later[1].seq, far + 2);

    let seqs = |records: Vec<EvidenceRecord>| records.iter().map(|r| r.seq).collect::<Vec<_>>();
    let x = Hash::of(b"x");
    assert_eq!(seqs(store.evidence_by_content(&a.id, &x, 10).await.unwrap()), vec![first[0].seq, later[1].seq]);
    assert_eq!(seqs(store.evidence_by_content(&a.id, &x, 1).await.unwrap()), vec![first[0].seq]);
    assert_eq!(seqs(store.evidence_by_content(&b.id, &x, 10).await.unwrap()), vec![theirs[0].seq]);
    let y = Hash::of(b"y");
    assert_eq!(seqs(store.evidence_by_content(&a.id, &y, 10).await.unwrap()), vec![first[1].seq, far]);
    assert!(store.evidence_by_content(&b.id, &y, 10).await.unwrap().is_empty());
    assert!(store.evidence_by_content(&a.id, &Hash::of(b"never"), 10).await.unwrap().is_empty());
    // Same first 8 bytes, another hash: not a match.
    let mut twin = x;
    twin.0[31] ^= 1;
    assert!(store.evidence_by_content(&a.id, &twin, 10).await.unwrap().is_empty());
}
