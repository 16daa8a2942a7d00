//! `proof.txt` of a v2 receipt zip (docs/formats.md §10.4): the inclusion proof, and the
//! `meta_salt` when disclosed, as plain lines that `verify.sh` reads with POSIX tools.
//!
//! ```text
//! notarium/proof/v1
//! index <proof.leaf_index>
//! count <proof.leaf_count>
//! sibling <L|R> <hash>      one per sibling, leaf level first
//! meta_salt <hash>          only when the receipt carries evidence.meta_salt
//! ```
//!
//! `L`: the sibling is the left operand (`node = H1(sibling, node)`), `R`: the right one.
//! The sides follow from index and count (§4); they are written for a reader who walks the
//! proof by hand, and `verify.sh` refuses a side that is not the one the walk takes.

use std::fmt::Write;

use crate::domain::Receipt;

/// The first line of `proof.txt`.
pub const PROOF_TAG: &str = "notarium/proof/v1";

/// The text of `proof.txt` for `receipt`.
pub(super) fn proof_txt(receipt: &Receipt) -> String {
    let proof = &receipt.proof;
    let mut t = format!("{PROOF_TAG}\nindex {}\ncount {}\n", proof.leaf_index, proof.leaf_count);
    let mut sides = sibling_sides(proof.leaf_index, proof.leaf_count).into_iter();
    for sibling in &proof.siblings {
        // A sibling the walk does not take (a malformed proof) is written as a right one.
        let side = if sides.next() == Some(Side::Left) { 'L' } else { 'R' };
        // Writing to a String cannot fail.
        let _ = writeln!(t, "sibling {side} {sibling}");
    }
    if let Some(salt) = receipt.evidence.meta_salt {
        let _ = writeln!(t, "meta_salt {salt}");
    }
    t
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// The side of each sibling the walk of §4 takes for leaf `index` of `count`, leaf level
/// first (a promoted level takes none). Empty when `index` is out of range.
fn sibling_sides(mut index: u64, mut width: u64) -> Vec<Side> {
    let mut sides = Vec::new();
    if index >= width {
        return sides;
    }
    while width > 1 {
        if !(index == width - 1 && width % 2 == 1) {
            sides.push(if index.is_multiple_of(2) { Side::Right } else { Side::Left });
        }
        index /= 2;
        width = width.div_ceil(2);
    }
    sides
}

#[cfg(test)]
mod tests {
    use super::Side::{Left as L, Right as R};
    use super::*;
    use crate::domain::Hash;
    use crate::domain::merkle::MerkleTree;

    #[test]
    fn the_sides_are_those_of_the_walk_and_match_the_number_of_siblings() {
        // The vectors' example: leaf 4 of 5 is promoted twice, then is the right child.
        assert_eq!(sibling_sides(4, 5), vec![L]);
        assert_eq!(sibling_sides(0, 5), vec![R, R, R]);
        assert_eq!(sibling_sides(3, 6), vec![L, L, R]);
        assert_eq!(sibling_sides(0, 1), vec![]);
        assert_eq!(sibling_sides(5, 5), vec![]);
        for count in 1..=17u64 {
            let tree = MerkleTree::from_leaves(&(0..count).map(|i| Hash::of(&i.to_le_bytes())).collect::<Vec<_>>());
            for index in 0..count {
                let siblings = tree.proof(index as usize).unwrap();
                assert_eq!(sibling_sides(index, count).len(), siblings.len(), "{index} of {count}");
            }
        }
    }
}
