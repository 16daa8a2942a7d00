-- The root of every 256 consecutive leaves of a block (docs/architecture.md, "Receipts"),
-- concatenated: a receipt's proof reads one tile's leaves and these roots instead of every
-- leaf of the block. Blocks sealed before this migration have no row; their proofs rebuild
-- the whole tree as before.
CREATE TABLE block_tiles (
    height INTEGER PRIMARY KEY REFERENCES blocks(height),
    roots  BLOB NOT NULL
) STRICT;
