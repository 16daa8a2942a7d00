//! Inclusion proofs from a block's tile roots, without rebuilding the block's whole tree.
//!
//! A block's leaves are cut into tiles of [`TILE_LEAVES`] consecutive leaves (the last tile may
//! be shorter). Tiles start at multiples of a power of two, so each tile's own tree is a subtree
//! of the block's tree: pairs never cross a tile's edge, and the last tile's odd nodes are
//! promoted exactly as they are in the whole tree (docs/formats.md §4). The levels above the
//! tiles are the tree over the tile roots. An inclusion proof is therefore the leaf's proof in
//! its tile followed by the tile's proof among the tile roots: 256 leaves and the roots (32
//! bytes per 256 leaves, stored at sealing) instead of every leaf of the block.

use super::hex32::Hash;
use super::merkle::MerkleTree;

/// Leaves per tile: 2^8.
pub const TILE_LEAVES: usize = 256;

/// The root of each run of `tile` leaves (`tile` a power of two).
pub fn tile_roots(leaves: &[Hash], tile: usize) -> Vec<Hash> {
    debug_assert!(tile.is_power_of_two());
    leaves.chunks(tile).map(|t| MerkleTree::from_leaves(t).root()).collect()
}

/// The block's root from its tile roots: the same as the root over all its leaves.
pub fn root_from_tiles(roots: &[Hash]) -> Hash {
    MerkleTree::from_leaves(roots).root()
}

/// The proof of leaf `index` of the block, given the leaves of the tile holding it (tile
/// number `index / tile`) and all the block's tile roots; `None` when `index` is not in that
/// tile or the tile is not among the roots.
pub fn proof_from_tiles(tile_leaves: &[Hash], index: usize, roots: &[Hash], tile: usize) -> Option<Vec<Hash>> {
    let (tile_index, within) = (index / tile, index % tile);
    let mut siblings = MerkleTree::from_leaves(tile_leaves).proof(within)?;
    siblings.extend(MerkleTree::from_leaves(roots).proof(tile_index)?);
    Some(siblings)
}

/// The leaf range `[first, end)` of the tile holding leaf `index` in a block of `count` leaves.
pub fn tile_range(index: u64, count: u64, tile: usize) -> (u64, u64) {
    let first = index / tile as u64 * tile as u64;
    (first, (first + tile as u64).min(count))
}

/// Tile roots as stored: their 32-byte hashes one after another.
pub fn encode_roots(roots: &[Hash]) -> Vec<u8> {
    roots.iter().flat_map(|h| h.0).collect()
}

/// The stored tile roots, or `None` when the length is not a whole number of hashes.
pub fn decode_roots(bytes: &[u8]) -> Option<Vec<Hash>> {
    bytes
        .len()
        .is_multiple_of(32)
        .then(|| bytes.chunks_exact(32).map(|c| Hash(c.try_into().expect("32 bytes"))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| Hash::of(&(i as u64).to_be_bytes())).collect()
    }

    #[test]
    fn tiled_root_and_every_proof_equal_the_whole_trees_for_small_tiles() {
        for tile in [1, 2, 4, 8, 16] {
            for n in 0..=130 {
                let l = leaves(n);
                let whole = MerkleTree::from_leaves(&l);
                let roots = tile_roots(&l, tile);
                assert_eq!(root_from_tiles(&roots), whole.root(), "tile {tile} size {n}");
                for i in 0..n {
                    let (first, end) = tile_range(i as u64, n as u64, tile);
                    let tiled = proof_from_tiles(&l[first as usize..end as usize], i, &roots, tile);
                    assert_eq!(tiled, whole.proof(i), "tile {tile} size {n} index {i}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Full-size tiles in blocks of up to 20,000 leaves: a partial last tile, one tile,
        /// and sizes on either side of a power of two.
        #[test]
        fn tiled_proofs_equal_whole_tree_proofs(n in 1usize..20_000, picks in proptest::collection::vec(any::<usize>(), 8)) {
            let l = leaves(n);
            let whole = MerkleTree::from_leaves(&l);
            let roots = tile_roots(&l, TILE_LEAVES);
            prop_assert_eq!(root_from_tiles(&roots), whole.root());
            for p in picks {
                let i = p % n;
                let (first, end) = tile_range(i as u64, n as u64, TILE_LEAVES);
                let tiled = proof_from_tiles(&l[first as usize..end as usize], i, &roots, TILE_LEAVES);
                prop_assert_eq!(tiled, whole.proof(i));
            }
        }

        #[test]
        fn stored_roots_round_trip_and_bad_lengths_are_refused(n in 0usize..40, extra in 1usize..32) {
            let roots = leaves(n);
            let bytes = encode_roots(&roots);
            prop_assert_eq!(decode_roots(&bytes), Some(roots));
            let mut longer = bytes;
            longer.extend(std::iter::repeat_n(7u8, extra));
            prop_assert_eq!(decode_roots(&longer), None);
        }
    }

    #[test]
    fn an_index_outside_its_tile_or_block_has_no_proof() {
        let l = leaves(10);
        let roots = tile_roots(&l, 4);
        assert_eq!(proof_from_tiles(&l[8..10], 10, &roots, 4), None);
        assert_eq!(proof_from_tiles(&l[8..10], 12, &roots, 4), None);
    }
}
