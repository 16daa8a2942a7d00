//! The code reproduces every value of tests/vectors/v2.json (leaf v2 and its keyed metadata
//! commitment), written by the independent Python implementation (tests/vectors/leaf_v2.py).

use notarium::domain::Salt;
use notarium::domain::canonical::{meta_commitment, meta_hash};
use notarium::domain::leaf::LeafVersion;
use serde_json::Value;

use crate::vectors::{check_leaf, hash};

#[test]
fn v2_leaves_reproduce_byte_for_byte() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/v2.json");
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(v["format"], "notarium-test-vectors/v2");
    let leaves = v["leaves"].as_array().unwrap();
    assert!(leaves.len() >= 4);
    assert!(leaves.iter().any(|l| l["input"]["metadata"].is_null()), "one leaf without metadata");
    for (i, l) in leaves.iter().enumerate() {
        let meta_salt: Salt = l["input"]["meta_salt"].as_str().unwrap().parse().unwrap();
        let metadata = check_leaf(i, l, LeafVersion::V2, |m| meta_commitment(Some(&meta_salt), m));
        assert_eq!(meta_hash(metadata.as_ref()), hash(&l["unsalted_meta_hash"]), "leaf {i} unsalted meta");
        assert_ne!(hash(&l["unsalted_meta_hash"]), hash(&l["meta_hash"]), "leaf {i}");
    }
}
