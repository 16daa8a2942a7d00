//! The code reproduces every value of tests/vectors/v1.json, which an independent Python
//! implementation of docs/formats.md wrote (tests/vectors/generate.py).

use notarium::domain::canonical::{canonical_json, meta_hash};
use notarium::domain::leaf::LeafVersion;
use notarium::domain::merkle::{MerkleTree, verify_inclusion};
use notarium::domain::*;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/v1.json");
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(v["format"], "notarium-test-vectors/v1");
    v
}

pub(crate) fn hash(v: &Value) -> Hash {
    v.as_str().unwrap().parse().unwrap()
}

fn leaf_hashes(v: &Value) -> Vec<Hash> {
    v["leaves"].as_array().unwrap().iter().map(|l| hash(&l["leaf_hash"])).collect()
}

#[test]
fn leaves_reproduce_byte_for_byte() {
    let v = vectors();
    let leaves = v["leaves"].as_array().unwrap();
    assert_eq!(leaves.len(), 8);
    for (i, l) in leaves.iter().enumerate() {
        check_leaf(i, l, LeafVersion::V1, meta_hash);
    }
}

/// Checks vector leaf `i` of `version`: its content hash, canonical metadata, `meta_hash` as
/// `meta` computes it from the metadata, and its leaf text, hash and parse. Gives the metadata.
pub(crate) fn check_leaf(
    i: usize,
    l: &Value,
    version: LeafVersion,
    meta: impl Fn(Option<&Metadata>) -> Hash,
) -> Option<Metadata> {
    let input = &l["input"];
    let content = match (&input["content_utf8"], &input["content_json"]) {
        (Value::String(s), Value::Null) => Hash::of(s.as_bytes()),
        (Value::Null, json) => Hash::of(&canonical_json(json)),
        _ => panic!("leaf {i}: exactly one content form"),
    };
    assert_eq!(content, hash(&l["content_hash"]), "leaf {i} content");

    let metadata: Option<Metadata> = serde_json::from_value(input["metadata"].clone()).unwrap();
    let canonical = match &metadata {
        Some(m) => String::from_utf8(canonical_json(&Value::Object(m.clone()))).unwrap(),
        None => "{}".to_owned(),
    };
    assert_eq!(canonical, l["metadata_canonical"].as_str().unwrap(), "leaf {i} canonical metadata");
    assert_eq!(meta(metadata.as_ref()), hash(&l["meta_hash"]), "leaf {i} meta");

    let leaf = Leaf {
        version,
        id: input["id"].as_str().unwrap().parse().unwrap(),
        kind: input["kind"].as_str().unwrap().parse().unwrap(),
        content,
        salt: input["salt"].as_str().unwrap().parse().unwrap(),
        meta: meta(metadata.as_ref()),
        owner: input["owner"].as_str().unwrap().parse().unwrap(),
        received: input["received"].as_str().unwrap().parse().unwrap(),
    };
    let text = l["leaf_text"].as_str().unwrap();
    assert_eq!(leaf.text(), text, "leaf {i} text");
    assert_eq!(leaf.hash(), hash(&l["leaf_hash"]), "leaf {i} hash");
    assert_eq!(Leaf::parse(text).unwrap(), leaf, "leaf {i} parse");
    metadata
}

#[test]
fn tree_roots_for_sizes_1_to_8() {
    let v = vectors();
    let all = leaf_hashes(&v);
    let trees = v["trees"].as_array().unwrap();
    assert_eq!(trees.len(), 8);
    for t in trees {
        let size = t["size"].as_u64().unwrap() as usize;
        assert_eq!(MerkleTree::from_leaves(&all[..size]).root(), hash(&t["root"]), "size {size}");
    }
}

#[test]
fn proofs_reproduce_and_verify() {
    let v = vectors();
    let all = leaf_hashes(&v);
    let proofs = v["proofs"].as_array().unwrap();
    assert!(proofs.len() >= 7);
    for p in proofs {
        let (size, index) = (p["size"].as_u64().unwrap(), p["index"].as_u64().unwrap());
        let siblings: Vec<Hash> = p["siblings"].as_array().unwrap().iter().map(hash).collect();
        let tree = MerkleTree::from_leaves(&all[..size as usize]);
        assert_eq!(tree.proof(index as usize).unwrap(), siblings, "size {size} index {index}");
        assert_eq!(tree.root(), hash(&p["root"]));
        assert_eq!(hash(&p["leaf_hash"]), all[index as usize]);
        verify_inclusion(&all[index as usize], index, size, &siblings, &hash(&p["root"])).unwrap();
    }
}

#[test]
fn headers_reproduce_and_parse() {
    let v = vectors();
    let headers = v["headers"].as_array().unwrap();
    assert_eq!(headers.len(), 3);
    let mut prev = Hash::ZERO;
    for h in headers {
        let f = &h["fields"];
        let header = BlockHeader {
            log: f["log"].as_str().unwrap().parse().unwrap(),
            height: f["height"].as_u64().unwrap(),
            prev: hash(&f["prev"]),
            root: hash(&f["root"]),
            leaves: f["leaves"].as_u64().unwrap(),
            sealed: f["sealed"].as_str().unwrap().parse().unwrap(),
        };
        assert_eq!(header.prev, prev, "headers chain");
        let text = h["header_text"].as_str().unwrap();
        assert_eq!(header.text(), text);
        assert_eq!(header.block_hash(), hash(&h["block_hash"]));
        assert_eq!(BlockHeader::parse(text).unwrap(), header);
        prev = header.block_hash();
    }
}
