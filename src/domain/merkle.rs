//! The Merkle tree over leaf hashes (docs/formats.md §Tree).
//!
//! Leaves are leaf hashes (already `BLAKE3(0x00 || leaf_text)`); an inner node is
//! `BLAKE3(0x01 || left || right)`; a node without a right sibling is promoted unchanged, which
//! equals the RFC 6962 recursive definition. Trees are built with rs_merkle; inclusion proofs
//! are verified by [`verify_inclusion`], a strict walk written from the definition so that an
//! untrusted proof is never handed to a library that may tolerate extra or missing siblings.

use rs_merkle::{Hasher, MerkleTree as RsTree};

use super::hex32::Hash;

/// BLAKE3 with the 0x01 inner-node prefix, for rs_merkle. `hash` is only used by rs_merkle for
/// its own leaf hashing, which we never ask for: leaves arrive pre-hashed.
#[derive(Clone, Debug)]
pub struct Blake3Node;

impl Hasher for Blake3Node {
    type Hash = [u8; 32];

    fn hash(data: &[u8]) -> [u8; 32] {
        *blake3::hash(data).as_bytes()
    }

    fn concat_and_hash(left: &[u8; 32], right: Option<&[u8; 32]>) -> [u8; 32] {
        match right {
            Some(right) => node_hash(&Hash(*left), &Hash(*right)).0,
            None => *left,
        }
    }
}

/// `BLAKE3(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = blake3::Hasher::new();
    h.update(&[0x01]);
    h.update(&left.0);
    h.update(&right.0);
    h.finalize().into()
}

/// A Merkle tree over the leaf hashes of one block.
pub struct MerkleTree {
    tree: RsTree<Blake3Node>,
    leaf_count: usize,
}

impl MerkleTree {
    pub fn from_leaves(leaves: &[Hash]) -> Self {
        let raw: Vec<[u8; 32]> = leaves.iter().map(|h| h.0).collect();
        Self { tree: RsTree::from_leaves(&raw), leaf_count: leaves.len() }
    }

    /// The root; zero for an empty tree.
    pub fn root(&self) -> Hash {
        self.tree.root().map(Hash).unwrap_or(Hash::ZERO)
    }

    pub fn leaf_count(&self) -> usize {
        self.leaf_count
    }

    /// The sibling hashes from the leaf level up, or `None` when `index` is out of range.
    pub fn proof(&self, index: usize) -> Option<Vec<Hash>> {
        (index < self.leaf_count).then(|| self.tree.proof(&[index]).proof_hashes().iter().copied().map(Hash).collect())
    }
}

/// Why an inclusion proof is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// `leaf_index >= leaf_count`, or the tree is empty.
    #[error("leaf index {index} is outside a tree of {count} leaves")]
    IndexOutOfRange { index: u64, count: u64 },
    /// The walk needed a sibling the proof does not have.
    #[error("the proof has too few siblings ({given}) for this index and size")]
    TooFewSiblings { given: usize },
    /// Siblings were left over after reaching the root.
    #[error("the proof has {given} siblings; this index and size take {used}")]
    TooManySiblings { given: usize, used: usize },
    /// The walk ended on another root.
    #[error("the proof leads to root {computed}, not {expected}")]
    RootMismatch { computed: Hash, expected: Hash },
}

/// Checks that `leaf` is at `index` in a tree of `count` leaves whose root is `root`, using
/// exactly the given siblings (leaf level first).
pub fn verify_inclusion(leaf: &Hash, index: u64, count: u64, siblings: &[Hash], root: &Hash) -> Result<(), ProofError> {
    let computed = root_from_proof(leaf, index, count, siblings)?;
    if computed == *root { Ok(()) } else { Err(ProofError::RootMismatch { computed, expected: *root }) }
}

/// The root that a proof leads to, consuming every sibling.
pub fn root_from_proof(leaf: &Hash, index: u64, count: u64, siblings: &[Hash]) -> Result<Hash, ProofError> {
    if index >= count {
        return Err(ProofError::IndexOutOfRange { index, count });
    }
    let (mut node, mut index, mut width) = (*leaf, index, count);
    let mut next = siblings.iter();
    let mut used = 0;
    while width > 1 {
        let promoted = index == width - 1 && width % 2 == 1;
        if !promoted {
            let sibling = next.next().ok_or(ProofError::TooFewSiblings { given: siblings.len() })?;
            used += 1;
            node = if index % 2 == 0 { node_hash(&node, sibling) } else { node_hash(sibling, &node) };
        }
        index /= 2;
        width = width.div_ceil(2);
    }
    if used != siblings.len() {
        return Err(ProofError::TooManySiblings { given: siblings.len(), used });
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| Hash::of(&(i as u64).to_le_bytes())).collect()
    }

    /// The RFC 6962 recursive definition, written independently of rs_merkle.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => Hash::ZERO,
            1 => leaves[0],
            n => {
                let mut k = 1; // the largest power of two strictly below n
                while k * 2 < n {
                    k *= 2;
                }
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn roots_match_rfc6962_definition_for_sizes_0_to_300() {
        for n in 0..=300 {
            let l = leaves(n);
            assert_eq!(MerkleTree::from_leaves(&l).root(), reference_root(&l), "size {n}");
        }
    }

    #[test]
    fn every_proof_verifies_for_every_size_up_to_300() {
        for n in 1..=300u64 {
            let l = leaves(n as usize);
            let tree = MerkleTree::from_leaves(&l);
            let root = tree.root();
            for i in 0..n {
                let proof = tree.proof(i as usize).unwrap();
                assert_eq!(verify_inclusion(&l[i as usize], i, n, &proof, &root), Ok(()), "size {n} index {i}");
            }
        }
    }

    #[test]
    fn out_of_range_and_empty() {
        let l = leaves(3);
        let tree = MerkleTree::from_leaves(&l);
        assert!(tree.proof(3).is_none());
        assert_eq!(
            verify_inclusion(&l[0], 3, 3, &[], &tree.root()),
            Err(ProofError::IndexOutOfRange { index: 3, count: 3 })
        );
        assert_eq!(
            verify_inclusion(&l[0], 0, 0, &[], &Hash::ZERO),
            Err(ProofError::IndexOutOfRange { index: 0, count: 0 })
        );
        assert_eq!(MerkleTree::from_leaves(&[]).root(), Hash::ZERO);
    }

    /// One way of breaking a valid proof on purpose.
    #[derive(Debug, Clone)]
    enum Break {
        IndexPlusOne,
        IndexMinusOne,
        CountPlus(u64),
        CountMinus(u64),
        ChangeSibling(usize),
        SwapSiblings(usize),
        DropSibling(usize),
        AddSibling(usize),
        WrongRoot,
        WrongLeaf,
    }

    fn a_break() -> impl Strategy<Value = Break> {
        prop_oneof![
            Just(Break::IndexPlusOne),
            Just(Break::IndexMinusOne),
            (1u64..40).prop_map(Break::CountPlus),
            (1u64..40).prop_map(Break::CountMinus),
            any::<usize>().prop_map(Break::ChangeSibling),
            any::<usize>().prop_map(Break::SwapSiblings),
            any::<usize>().prop_map(Break::DropSibling),
            any::<usize>().prop_map(Break::AddSibling),
            Just(Break::WrongRoot),
            Just(Break::WrongLeaf),
        ]
    }

    /// Applies the break; `None` when it does not apply (e.g. no sibling to swap) or when it
    /// leaves the tree's shape the same, so the proof must still be valid (e.g. a count change
    /// that does not touch this leaf's path is not "broken").
    fn apply(
        b: &Break,
        leaf: &mut Hash,
        index: &mut u64,
        count: &mut u64,
        sib: &mut Vec<Hash>,
        root: &mut Hash,
    ) -> Option<()> {
        match *b {
            Break::IndexPlusOne => *index += 1,
            Break::IndexMinusOne => *index = index.checked_sub(1)?,
            Break::CountPlus(d) => *count += d,
            Break::CountMinus(d) => *count = count.checked_sub(d)?,
            Break::ChangeSibling(i) => {
                let n = sib.len();
                (n > 0).then_some(())?;
                sib[i % n].0[0] ^= 1;
            }
            Break::SwapSiblings(i) => {
                let n = sib.len();
                (n > 1).then_some(())?;
                let (a, c) = (i % (n - 1), i % (n - 1) + 1);
                (sib[a] != sib[c]).then_some(())?;
                sib.swap(a, c);
            }
            Break::DropSibling(i) => {
                let n = sib.len();
                (n > 0).then_some(())?;
                sib.remove(i % n);
            }
            Break::AddSibling(i) => sib.insert(i % (sib.len() + 1), Hash::of(b"extra")),
            Break::WrongRoot => root.0[31] ^= 0x80,
            Break::WrongLeaf => leaf.0[5] ^= 0x10,
        }
        Some(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn broken_proofs_are_refused(n in 1u64..=300, i in any::<u64>(), b in a_break()) {
            let i = i % n;
            let l = leaves(n as usize);
            let tree = MerkleTree::from_leaves(&l);
            let (mut leaf, mut index, mut count, mut sib, mut root) =
                (l[i as usize], i, n, tree.proof(i as usize).unwrap(), tree.root());
            prop_assume!(apply(&b, &mut leaf, &mut index, &mut count, &mut sib, &mut root).is_some());
            let result = verify_inclusion(&leaf, index, count, &sib, &root);
            // A count change that leaves this leaf's path the same (the same sequence of
            // left/right combinations) cannot be told from the proof alone: the verifier also
            // requires leaf_count to equal the header's `leaves`. Every other break must fail.
            let same_path = index < count && path_sides(index, count) == path_sides(i, n);
            if same_path && matches!(b, Break::CountPlus(_) | Break::CountMinus(_)) {
                prop_assert!(result.is_ok(), "{b:?}");
            } else {
                prop_assert!(result.is_err(), "{b:?} n={n} i={i}");
            }
        }

        #[test]
        fn arbitrary_proofs_never_panic(
            index in any::<u64>(), count in any::<u64>(),
            sib in proptest::collection::vec(any::<[u8; 32]>().prop_map(Hash), 0..70),
        ) {
            let _ = verify_inclusion(&Hash::ZERO, index, count, &sib, &Hash::ZERO);
        }
    }

    /// For each level where this leaf's path combines with a sibling, whether it is the left
    /// (0) or right (1) child; promoted levels do not change the hash and are left out.
    fn path_sides(mut index: u64, mut width: u64) -> Vec<u64> {
        let mut sides = Vec::new();
        while width > 1 {
            if !(index == width - 1 && width % 2 == 1) {
                sides.push(index % 2);
            }
            index /= 2;
            width = width.div_ceil(2);
        }
        sides
    }
}
