//! The pure checks on a synthetic block of three records: each change is named by the check
//! it breaks, and the root/leaf relationship tells which side changed.

use serde_json::json;

use super::checks::{ChainTip, LeafScan, check_block_hash, check_header, check_leaves, check_tiles};
use super::inconsistency::{Inconsistency, Table};
use crate::domain::canonical::meta_commitment;
use crate::domain::merkle::MerkleTree;
use crate::domain::merkle_tiles::{TILE_LEAVES, encode_roots, tile_roots};
use crate::domain::{BlockHeader, EvidenceKind, Hash, Salt};
use crate::store::{BlockRow, EvidenceRecord};

fn record(seq: u64) -> EvidenceRecord {
    let metadata = json!({ "title": format!("t{seq}") }).as_object().cloned();
    // Even records are leaf v2 (a keyed meta_hash), odd ones leaf v1: the audit rebuilds both.
    let meta_salt = seq.is_multiple_of(2).then_some(Salt([!(seq as u8); 32]));
    let mut r = EvidenceRecord {
        seq,
        id: format!("019aa6b2-5c00-7000-8000-{seq:012}").parse().unwrap(),
        owner: "019aa6b2-0000-7000-8000-00000000aaaa".parse().unwrap(),
        kind: EvidenceKind::Document,
        content_hash: Hash::of(&seq.to_be_bytes()),
        salt: Some(Salt([seq as u8; 32])),
        meta_hash: meta_commitment(meta_salt.as_ref(), metadata.as_ref()),
        meta_salt,
        metadata,
        received: "2026-11-21T08:00:00.123Z".parse().unwrap(),
        leaf_hash: Hash::ZERO,
    };
    r.leaf_hash = r.leaf().unwrap().hash();
    r
}

/// A tip at height 4 ending at seq 10, and the block at height 5 holding seqs 10, 11, 12.
fn block() -> (ChainTip, BlockRow, Vec<EvidenceRecord>) {
    let tip = ChainTip { height: 4, block_hash: Hash::of(b"block 4"), log: "x/y".parse().unwrap(), end_seq: 10 };
    let records: Vec<EvidenceRecord> = (10..13).map(record).collect();
    let leaves: Vec<Hash> = records.iter().map(|r| r.leaf_hash).collect();
    let header = BlockHeader {
        log: tip.log.clone(),
        height: 5,
        prev: tip.block_hash,
        root: MerkleTree::from_leaves(&leaves).root(),
        leaves: 3,
        sealed: "2026-11-21T08:00:01.000Z".parse().unwrap(),
    };
    let row = BlockRow {
        height: 5,
        first_seq: 10,
        leaf_count: 3,
        header: header.text(),
        block_hash: header.block_hash(),
        sealed: header.sealed,
        anchored: None,
    };
    (tip, row, records)
}

/// The checks of `audit_block` short of the co-signatures.
fn check(tip: &ChainTip, block: &BlockRow, records: Vec<EvidenceRecord>) -> Result<(), Inconsistency> {
    let header = check_header(Some(tip), block)?;
    let mut scan = LeafScan::new(block);
    scan.add(records.into_iter().map(|r| (r.seq, Ok(r))).collect())?;
    scan.finish()?;
    check_leaves(&scan, &header, block)?;
    check_block_hash(block)
}

#[test]
fn an_intact_block_passes_and_each_change_is_named() {
    let (tip, block, records) = block();
    assert_eq!(check(&tip, &block, records.clone()), Ok(()));
    let id = records[1].id;

    let mut changed = records.clone();
    changed[1].leaf_hash.0[0] ^= 1;
    let found = check(&tip, &block, changed).unwrap_err();
    assert!(matches!(found, Inconsistency::LeafHash { height: 5, seq: 11, id: i, .. } if i == id), "{found:?}");

    for field in 0..4 {
        let mut changed = records.clone();
        match field {
            0 => changed[1].content_hash.0[31] ^= 1,
            1 => changed[1].salt.as_mut().unwrap().0[0] ^= 1,
            2 => changed[1].kind = EvidenceKind::Contract,
            _ => changed[1].received = "2026-11-21T08:00:00.124Z".parse().unwrap(),
        }
        let found = check(&tip, &block, changed).unwrap_err();
        // One changed byte of a hash column is named; other fields are not guessed.
        let named = [Some("content_hash"), Some("salt"), None, None][field];
        assert!(
            matches!(found, Inconsistency::RecordFields { seq: 11, field: f, .. } if f == named),
            "{field}: {found:?}"
        );
    }

    let mut changed = records.clone();
    changed[1].metadata = json!({ "title": "forged" }).as_object().cloned();
    let found = check(&tip, &block, changed).unwrap_err();
    assert!(matches!(found, Inconsistency::MetaHash { seq: 11, changed: "metadata", .. }), "{found:?}");
    let mut changed = records.clone();
    changed[1].meta_hash.0[0] ^= 1;
    let found = check(&tip, &block, changed).unwrap_err();
    assert!(matches!(found, Inconsistency::MetaHash { seq: 11, changed: "meta_hash", .. }), "{found:?}");

    // A record and its leaf hash changed together: the root no longer matches either way.
    let mut changed = records.clone();
    changed[1].content_hash.0[0] ^= 1;
    changed[1].leaf_hash = changed[1].leaf().unwrap().hash();
    let found = check(&tip, &block, changed).unwrap_err();
    assert!(matches!(found, Inconsistency::Root { height: 5, .. }), "{found:?}");

    let found = check(&tip, &block, vec![records[0].clone(), records[2].clone()]).unwrap_err();
    assert_eq!(found, Inconsistency::MissingEvidence { height: 5, seq: 11 });
    let found = check(&tip, &block, records[..2].to_vec()).unwrap_err();
    assert_eq!(found, Inconsistency::MissingEvidence { height: 5, seq: 12 });
}

#[test]
fn header_changes_are_told_apart() {
    let (tip, block, records) = block();
    let edit = |from: &str, to: &str| BlockRow { header: block.header.replacen(from, to, 1), ..block.clone() };
    let root = BlockHeader::parse(&block.header).unwrap().root.to_string();
    let other_root = Hash::of(b"other").to_string();

    let found = check(&tip, &edit(&root, &other_root), records.clone()).unwrap_err();
    assert!(matches!(found, Inconsistency::HeaderRoot { height: 5, .. }), "{found:?}");
    let mut leaf_too = records.clone();
    leaf_too[1].leaf_hash.0[0] ^= 1;
    let found = check(&tip, &edit(&root, &other_root), leaf_too).unwrap_err();
    assert!(matches!(found, Inconsistency::Leaf { seq: 11, .. }), "{found:?}");
    let found = check(&tip, &edit("01.000Z", "01.001Z"), records.clone()).unwrap_err();
    assert!(matches!(found, Inconsistency::HeaderField { field: "sealed", header_intact: false, .. }), "{found:?}");
    let found = check(&tip, &edit("log x/y", "log x/z"), records.clone()).unwrap_err();
    assert!(matches!(found, Inconsistency::HeaderField { field: "log", .. }), "{found:?}");
    let found = check(&tip, &edit("height 5", "height 05"), records.clone()).unwrap_err();
    assert!(matches!(found, Inconsistency::HeaderUnparseable { height: 5, .. }), "{found:?}");

    let sealed_ms = BlockRow { sealed: "2026-11-21T08:00:02.000Z".parse().unwrap(), ..block.clone() };
    let found = check(&tip, &sealed_ms, records.clone()).unwrap_err();
    assert!(matches!(found, Inconsistency::HeaderField { field: "sealed", header_intact: true, .. }), "{found:?}");

    let mut stored_hash = block.clone();
    stored_hash.block_hash.0[0] ^= 1;
    let found = check(&tip, &stored_hash, records.clone()).unwrap_err();
    assert!(matches!(found, Inconsistency::BlockHash { height: 5, .. }), "{found:?}");

    let other_tip = ChainTip { block_hash: Hash::of(b"another block 4"), ..tip.clone() };
    let found = check(&other_tip, &block, records.clone()).unwrap_err();
    assert!(matches!(found, Inconsistency::HeaderField { field: "prev", header_intact: true, .. }), "{found:?}");
    let gap = ChainTip { end_seq: 9, ..tip.clone() };
    let found = check(&gap, &block, records).unwrap_err();
    assert_eq!(found, Inconsistency::BlockRange { height: 5, first_seq: 10, expected: 9 });
}

#[test]
fn stored_tile_roots_must_be_the_leaves_roots() {
    let (_, block, records) = block();
    let mut scan = LeafScan::new(&block);
    scan.add(records.iter().cloned().map(|r| (r.seq, Ok(r))).collect()).unwrap();
    let leaves: Vec<Hash> = records.iter().map(|r| r.leaf_hash).collect();
    let good = encode_roots(&tile_roots(&leaves, TILE_LEAVES));
    assert_eq!(check_tiles(&scan, &block, Some(&good)), Ok(()));
    assert_eq!(check_tiles(&scan, &block, None), Ok(()), "a block sealed before tiles were stored");

    let mut changed = good.clone();
    changed[3] ^= 1;
    let found = check_tiles(&scan, &block, Some(&changed)).unwrap_err();
    assert!(matches!(found, Inconsistency::TileRoot { height: 5, tile: 0, stored: Some(_), rebuilt: Some(_) }));
    assert!(found.to_string().starts_with("block_tiles height 5: tile 0's root"), "{found}");

    let mut extra = good.clone();
    extra.extend([0u8; 32]);
    let found = check_tiles(&scan, &block, Some(&extra)).unwrap_err();
    assert!(matches!(found, Inconsistency::TileRoot { tile: 1, rebuilt: None, .. }), "{found:?}");
    let found = check_tiles(&scan, &block, Some(&good[..31])).unwrap_err();
    assert!(matches!(found, Inconsistency::Unreadable { table: Table::BlockTiles, .. }), "{found:?}");
}
