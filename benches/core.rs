//! `cargo bench --bench core`: leaf hashing, tree building for 1 M leaves, proof generation and
//! verification, and full receipt verification, each beside a baseline measured in the same
//! run (raw BLAKE3, a plain level-by-level tree, two raw ECDSA P-256 verifications).

use divan::{Bencher, black_box};
use notarium::crypto::cms::sign;
use notarium::crypto::devpki::{KeyPair, issue_witness, new_ca};
use notarium::crypto::{Anchor, OpensslChecker, TrustStore};
use notarium::domain::canonical::meta_hash;
use notarium::domain::merkle::{MerkleTree, node_hash, verify_inclusion};
use notarium::domain::receipt::RECEIPT_FORMAT;
use notarium::domain::verify::{QuorumPolicy, VerifyInput, verify};
use notarium::domain::*;

fn main() {
    divan::main();
}

const MILLION: usize = 1_000_000;

fn sample_leaf(i: u64) -> Leaf {
    Leaf {
        version: notarium::domain::leaf::LeafVersion::V1,
        id: EvidenceId::generate(),
        kind: EvidenceKind::Document,
        content: Hash::of(&i.to_le_bytes()),
        salt: Salt(*Hash::of(&i.to_be_bytes()).as_bytes()),
        meta: meta_hash(None),
        owner: TenantId::generate(),
        received: Timestamp::now(),
    }
}

fn leaf_hashes(n: usize) -> Vec<Hash> {
    (0..n as u64).map(|i| Hash::of(&i.to_le_bytes())).collect()
}

mod leaf {
    use super::*;

    /// Baseline: BLAKE3 of a buffer as long as a leaf text.
    #[divan::bench]
    fn baseline_blake3_of_leaf_sized_buffer(b: Bencher) {
        let text = sample_leaf(1).text().into_bytes();
        b.bench(|| Hash::of(black_box(&text)));
    }

    /// Formatting the leaf text and hashing it with the 0x00 prefix.
    #[divan::bench]
    fn leaf_text_and_hash(b: Bencher) {
        let leaf = sample_leaf(1);
        b.bench(|| black_box(&leaf).hash());
    }
}

mod tree {
    use super::*;

    /// Baseline: a plain level-by-level build with the same node rule.
    #[divan::bench(sample_count = 10)]
    fn baseline_plain_levels_1m(b: Bencher) {
        let leaves = leaf_hashes(MILLION);
        b.bench(|| {
            let mut level = leaves.clone();
            while level.len() > 1 {
                level = level.chunks(2).map(|p| if p.len() == 2 { node_hash(&p[0], &p[1]) } else { p[0] }).collect();
            }
            level[0]
        });
    }

    /// rs_merkle with the BLAKE3 node hasher.
    #[divan::bench(sample_count = 10)]
    fn rs_merkle_build_1m(b: Bencher) {
        let leaves = leaf_hashes(MILLION);
        b.bench(|| MerkleTree::from_leaves(black_box(&leaves)).root());
    }
}

mod proof {
    use super::*;

    #[divan::bench]
    fn generate_in_1m_tree(b: Bencher) {
        let tree = MerkleTree::from_leaves(&leaf_hashes(MILLION));
        let mut i = 0usize;
        b.bench_local(|| {
            i = (i + 7919) % MILLION;
            tree.proof(i)
        });
    }

    #[divan::bench]
    fn verify_in_1m_tree(b: Bencher) {
        let leaves = leaf_hashes(MILLION);
        let tree = MerkleTree::from_leaves(&leaves);
        let root = tree.root();
        let index = 123_457;
        let proof = tree.proof(index).unwrap();
        b.bench(|| verify_inclusion(&leaves[index], index as u64, MILLION as u64, black_box(&proof), &root));
    }
}

mod receipt {
    use super::*;
    use openssl::ecdsa::EcdsaSig;
    use openssl::sha::sha256;

    struct Fixture {
        receipt: Receipt,
        trust: TrustStore,
        court: KeyPair,
    }

    fn fixture() -> Fixture {
        let ca = new_ca("Bench CA", 30).unwrap();
        let court = issue_witness(&ca, "Bench Court", "court", 30, None).unwrap();
        let notary = issue_witness(&ca, "Bench Notary", "notary", 30, None).unwrap();
        let leaves = leaf_hashes(MILLION);
        let index = 4242;
        let leaf = sample_leaf(7);
        let mut leaves = leaves;
        leaves[index] = leaf.hash();
        let tree = MerkleTree::from_leaves(&leaves);
        let header = BlockHeader {
            log: "bench/log".parse().unwrap(),
            height: 1,
            prev: Hash::ZERO,
            root: tree.root(),
            leaves: MILLION as u64,
            sealed: Timestamp::now(),
        };
        let text = header.text();
        let cosign = |name: &str, role: Role, w: &KeyPair| Cosignature {
            witness: name.parse().unwrap(),
            role,
            cms: sign(text.as_bytes(), &w.key, &w.cert, &[]).unwrap(),
            chain: vec![String::from_utf8(w.cert.to_pem().unwrap()).unwrap()],
        };
        let receipt = Receipt {
            format: RECEIPT_FORMAT.into(),
            evidence: ReceiptEvidence::from_leaf(leaf.clone(), None, None),
            leaf_hash: leaf.hash(),
            proof: InclusionProof {
                leaf_index: index as u64,
                leaf_count: MILLION as u64,
                siblings: tree.proof(index).unwrap(),
            },
            block: ReceiptBlock {
                log: header.log.clone(),
                height: 1,
                header: text.clone(),
                block_hash: header.block_hash(),
            },
            cosignatures: vec![cosign("court", Role::Court, &court), cosign("notary", Role::Notary, &notary)],
        };
        let trust = TrustStore::new(vec![Anchor { cert: ca.cert, roles: vec![Role::Court, Role::Notary] }]);
        Fixture { receipt, trust, court }
    }

    /// Baseline: two raw ECDSA P-256 verifications (the floor under any co-signed receipt).
    #[divan::bench]
    fn baseline_two_ecdsa_p256_verifications(b: Bencher) {
        let f = fixture();
        let digest = sha256(f.receipt.block.header.as_bytes());
        let ec = f.court.key.ec_key().unwrap();
        let sig = EcdsaSig::sign(&digest, &ec).unwrap();
        b.bench_local(|| (0..2).all(|_| sig.verify(black_box(&digest), &ec).unwrap()));
    }

    /// Parse the JSON and run every check, co-signatures and chains included.
    #[divan::bench]
    fn parse_and_verify_full_receipt(b: Bencher) {
        let f = fixture();
        let json = f.receipt.to_json_pretty().into_bytes();
        let input = VerifyInput::default();
        b.bench_local(|| {
            let r = Receipt::from_json(black_box(&json)).unwrap();
            let report = verify(&r, &input, &OpensslChecker { trust: &f.trust }, &QuorumPolicy::default());
            assert!(report.valid);
        });
    }
}
