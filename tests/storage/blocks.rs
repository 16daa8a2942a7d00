//! Blocks: the set-based lookup of the block holding each record, and anchoring decided by the
//! domain's quorum rule.

use notarium::domain::quorum::QuorumPolicy;
use notarium::domain::{Hash, Role, Timestamp, WitnessName};
use notarium::store::{BlockRow, CosignatureRow, Store};

use crate::{Backend, on_both_backends};

on_both_backends!(
    blocks_containing_answers_each_seq_in_the_order_given,
    anchoring_applies_the_domain_quorum_rule,
    the_latest_anchored_block_is_the_highest_even_above_a_gap,
);

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

/// Heights 0..3 hold seq 0..3, 3..3 (empty), 3..8.
async fn store_with_blocks(backend: &Backend) -> Store {
    let store = backend.open().await;
    for b in [block(0, 0, 3), block(1, 3, 0), block(2, 3, 5)] {
        store.insert_block(&b, &[Hash::of(b"tile")]).await.unwrap();
    }
    store
}

async fn blocks_containing_answers_each_seq_in_the_order_given(backend: Backend) {
    let store = store_with_blocks(&backend).await;
    let heights = |blocks: Vec<Option<BlockRow>>| blocks.into_iter().map(|b| b.map(|b| b.height)).collect::<Vec<_>>();
    let found = store.blocks_containing(&[7, 0, 8, 3, 2, 7, 100]).await.unwrap();
    assert_eq!(heights(found), vec![Some(2), Some(0), None, Some(2), Some(0), Some(2), None]);
    assert!(store.blocks_containing(&[]).await.unwrap().is_empty());
    for seq in [0, 2, 3, 7, 8] {
        let one = store.block_containing(seq).await.unwrap().map(|b| b.height);
        assert_eq!(heights(store.blocks_containing(&[seq]).await.unwrap()), vec![one], "seq {seq}");
    }
    assert!(store.insert_block(&block(2, 8, 1), &[]).await.is_err(), "a second block at one height");
    assert_eq!(store.latest_block().await.unwrap().map(|b| b.height), Some(2));
    assert_eq!(store.blocks_before(None, 2).await.unwrap().iter().map(|b| b.height).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(store.blocks_from(1, 10).await.unwrap().iter().map(|b| b.height).collect::<Vec<_>>(), [1, 2]);
    assert!(store.block_tiles(0).await.unwrap().is_some());
}

fn cosig(height: u64, witness: &str, role: Role) -> CosignatureRow {
    CosignatureRow { height, witness: witness.parse().unwrap(), role, cms: vec![1, 2, 3], signed: Timestamp::now() }
}

async fn anchoring_applies_the_domain_quorum_rule(backend: Backend) {
    let store = store_with_blocks(&backend).await;
    assert_eq!(store.latest_anchored_block().await.unwrap(), None);
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
    let of = store.cosignatures_of(&[1, 5, 0]).await.unwrap();
    assert_eq!(of.iter().map(Vec::len).collect::<Vec<_>>(), [2, 0, 2]);
    assert_eq!(store.last_cosigned(&witnesses[1]).await.unwrap(), Some(0));
}

/// What `GET /v1/blocks` gives as `anchored_head`: the highest anchored block, also when a block
/// below it is not anchored (e.g. below a witness's enrolment).
async fn the_latest_anchored_block_is_the_highest_even_above_a_gap(backend: Backend) {
    let store = store_with_blocks(&backend).await;
    assert_eq!(store.latest_anchored_block().await.unwrap(), None);
    store.mark_anchored(&[0], Timestamp::now()).await.unwrap();
    assert_eq!(store.latest_anchored_block().await.unwrap().map(|b| b.height), Some(0));
    store.mark_anchored(&[2], Timestamp::now()).await.unwrap();
    assert_eq!(store.oldest_unanchored().await.unwrap(), Some(1));
    assert_eq!(store.latest_anchored_block().await.unwrap().map(|b| (b.height, b.anchored.is_some())), Some((2, true)));
}
