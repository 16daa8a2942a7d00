//! The SQLite storage: sequence numbers allocated inside the write transaction (two writers on
//! one file), the set-based block lookup, and anchoring decided by the domain's quorum rule.

use super::SqliteStore;
use crate::domain::quorum::QuorumPolicy;
use crate::domain::{EvidenceKind, Hash, Role, TenantId, TenantRole, Timestamp, WitnessName};
use crate::store::writer::{Outcome, RecordWriter, Submission};
use crate::store::{BlockRow, BlockStore, CosignatureRow, NewEvidence, Store};

fn items(n: usize, tag: u8) -> Vec<NewEvidence> {
    (0..n)
        .map(|i| NewEvidence { kind: EvidenceKind::Document, content_hash: Hash::of(&[tag, i as u8]), metadata: None })
        .collect()
}

async fn tenant(store: &Store) -> TenantId {
    store.create_tenant("Shop", TenantRole::Merchant, None).await.unwrap().0.id
}

async fn created(writer: &mut dyn RecordWriter, owner: TenantId, n: usize, tag: u8) -> Vec<u64> {
    match writer.write(&[Submission::records(owner, items(n, tag), None)]).await.unwrap().remove(0) {
        Outcome::Created(records) => records.iter().map(|r| r.seq).collect(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn two_writers_on_one_file_number_without_gaps_or_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (Store::open(dir.path()).await.unwrap(), Store::open(dir.path()).await.unwrap());
    let (mut a, mut b) = (one.writer().await.unwrap(), two.writer().await.unwrap());
    let owner = tenant(&one).await;
    let mut seqs = Vec::new();
    // Interleaved: each writer must see what the other committed since its last write.
    for round in 0..4u8 {
        seqs.extend(created(a.as_mut(), owner, 3, round).await);
        seqs.extend(created(b.as_mut(), owner, 2, round + 100).await);
    }
    assert_eq!(seqs, (0..20).collect::<Vec<u64>>());
    // And at the same time: the write lock orders them, the numbers stay distinct and dense.
    let (x, y) = tokio::join!(created(a.as_mut(), owner, 50, 7), created(b.as_mut(), owner, 50, 8));
    let mut all: Vec<u64> = x.into_iter().chain(y).collect();
    all.sort_unstable();
    assert_eq!(all, (20..120).collect::<Vec<u64>>());
    assert_eq!(one.max_seq().await.unwrap(), Some(119));
    assert_eq!(one.evidence_range(0, 200).await.unwrap().len(), 120);
}

#[tokio::test]
async fn a_repeated_key_in_one_group_replays_the_first_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
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
    let again = writer.write(&[Submission::records(owner, items(2, 2), key())]).await.unwrap();
    assert!(matches!(&again[0], Outcome::Replayed(r) if r.first_seq == 1 && r.count == 2), "{again:?}");
}

fn block(height: u64, first_seq: u64, leaf_count: u64) -> BlockRow {
    BlockRow {
        height,
        first_seq,
        leaf_count,
        header: format!("header {height}"),
        block_hash: Hash::of(&height.to_be_bytes()),
        sealed: Timestamp::now(),
        anchored: None,
    }
}

async fn store_with_blocks() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    // Heights 0..3 hold seq 0..3, 3..3 (empty), 3..8.
    for b in [block(0, 0, 3), block(1, 3, 0), block(2, 3, 5)] {
        store.insert_block(&b, &[]).await.unwrap();
    }
    (dir, store)
}

#[tokio::test]
async fn blocks_containing_answers_each_seq_in_the_order_given() {
    let (_dir, store) = store_with_blocks().await;
    let heights = |blocks: Vec<Option<BlockRow>>| blocks.into_iter().map(|b| b.map(|b| b.height)).collect::<Vec<_>>();
    let found = store.blocks_containing(&[7, 0, 8, 3, 2, 7, 100]).await.unwrap();
    assert_eq!(heights(found), vec![Some(2), Some(0), None, Some(2), Some(0), Some(2), None]);
    assert!(store.blocks_containing(&[]).await.unwrap().is_empty());
    for seq in [0, 2, 3, 7, 8] {
        let one = store.block_containing(seq).await.unwrap().map(|b| b.height);
        assert_eq!(heights(store.blocks_containing(&[seq]).await.unwrap()), vec![one], "seq {seq}");
    }
}

fn cosig(height: u64, witness: &str, role: Role) -> CosignatureRow {
    CosignatureRow { height, witness: witness.parse().unwrap(), role, cms: vec![1, 2, 3], signed: Timestamp::now() }
}

#[tokio::test]
async fn anchoring_applies_the_domain_quorum_rule() {
    let (_dir, store) = store_with_blocks().await;
    let rows = [
        cosig(0, "court-a", Role::Court),
        cosig(0, "notary-a", Role::Notary),
        cosig(1, "court-a", Role::Court),
        cosig(1, "court-b", Role::Court),
        cosig(2, "court-a", Role::Court),
    ];
    store.insert_cosignatures(&rows).await.unwrap();
    store.insert_cosignatures(&rows[..1]).await.unwrap(); // stored once
    let facts = store.unanchored_cosigners().await.unwrap();
    assert_eq!(facts.len(), 5);
    // What the storage decides is what the domain decides from the same facts.
    let policy = QuorumPolicy::default();
    let expected = policy.heights_met(facts.iter().map(|f| (f.height, f.witness.clone(), f.role)));
    assert_eq!(expected, vec![0]);
    assert_eq!(store.anchor_at_quorum(&policy, Timestamp::now()).await.unwrap(), 1);
    assert!(store.block(0).await.unwrap().unwrap().anchored.is_some());
    assert_eq!(store.oldest_unanchored().await.unwrap(), Some(1));
    // A policy of any two keys (the domain's rule, which SQL never saw) anchors height 1 too.
    let any_two = QuorumPolicy::new(0, 0, 2).unwrap();
    assert_eq!(store.anchor_at_quorum(&any_two, Timestamp::now()).await.unwrap(), 1);
    assert_eq!(store.oldest_unanchored().await.unwrap(), Some(2));
    assert_eq!(store.unanchored_cosigners().await.unwrap().len(), 1, "only height 2's facts are left");
    let witnesses: Vec<WitnessName> = ["court-a", "notary-a", "nobody"].iter().map(|w| w.parse().unwrap()).collect();
    let latest = store.latest_cosignatures(&witnesses).await.unwrap();
    let latest: Vec<(String, u64)> = latest.iter().map(|c| (c.witness.to_string(), c.height)).collect();
    assert_eq!(latest, vec![("court-a".to_owned(), 2), ("notary-a".to_owned(), 0)]);
}
