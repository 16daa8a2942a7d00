//! What an audit can find: one inconsistency, naming the table, the row and what differs.

use std::fmt;

use crate::domain::{EvidenceId, Hash};

/// The table an inconsistency is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Evidence,
    Blocks,
    BlockTiles,
    Cosignatures,
    Invoices,
    /// What a witness co-signed, against the blocks.
    Witnesses,
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Table::Evidence => "evidence",
            Table::Blocks => "blocks",
            Table::BlockTiles => "block_tiles",
            Table::Cosignatures => "cosignatures",
            Table::Invoices => "invoices",
            Table::Witnesses => "witnesses",
        })
    }
}

/// The first thing the database stores that its own rows do not rebuild. Each variant says
/// when it is reported; the checks run per block in height order, so an earlier variant in a
/// block is reported before a later one. The text (`Display`) goes to logs and `/readyz`, so
/// it shows only public facts (heights, seqs, evidence ids, leaf hashes, headers), never an
/// owner's content hash, salt, metadata or meta hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inconsistency {
    /// A row does not decode at all (a hash of the wrong length, a kind or name that does not
    /// parse, metadata that is not JSON). `row` names it: `seq 7`, `height 3`, `witness court`.
    Unreadable { table: Table, row: String, reason: String },
    /// Block heights do not run 0, 1, 2, ... without a gap; `found` is the next stored height.
    MissingBlock { expected: u64, found: Option<u64> },
    /// A block does not start where the previous one ended (the genesis block at seq 0).
    BlockRange { height: u64, first_seq: u64, expected: u64 },
    /// A record of a block's range (`first_seq` to `first_seq + leaf_count`) is not stored.
    MissingEvidence { height: u64, seq: u64 },
    /// The header text does not parse.
    HeaderUnparseable { height: u64, reason: String },
    /// A header field (`height`, `prev`, `log`, `leaves`, `sealed`) disagrees with the block row
    /// or with the previous block. `header_intact` tells whether the header still hashes to its
    /// stored `block_hash` (then the other side was changed) or not (the header text was).
    HeaderField {
        height: u64,
        field: &'static str,
        in_header: String,
        expected: String,
        source: &'static str,
        header_intact: bool,
    },
    /// The root inside the header was changed: the stored leaf hashes rebuild `rebuilt`, and
    /// the header with `rebuilt` in place of `in_header` hashes to the stored `block_hash`.
    HeaderRoot { height: u64, in_header: Hash, rebuilt: Hash },
    /// The stored leaf hashes rebuild another root than the header's, and no single field
    /// explains it (rows replaced together with matching leaf hashes, or several changes).
    Root { height: u64, in_header: Hash, rebuilt: Hash },
    /// The header does not hash to the stored `block_hash`, though every field of it agrees with
    /// the block row, the chain and the leaves.
    BlockHash { height: u64, stored: Hash, computed: Hash },
    /// The record's metadata does not canonicalise to its `meta_hash`. `changed` says which
    /// column: `meta_hash` (the leaf rebuilds with the metadata's hash), `metadata` (it
    /// rebuilds with the stored `meta_hash`), or `metadata or meta_hash` (neither).
    MetaHash { seq: u64, id: EvidenceId, stored: Hash, computed: Hash, changed: &'static str },
    /// The stored `leaf_hash` column was changed: the record's fields rebuild `rebuilt`, and
    /// with it the block's leaves rebuild the header's root.
    LeafHash { height: u64, seq: u64, id: EvidenceId, stored: Hash, rebuilt: Hash },
    /// A field of the record was changed: the stored leaf hashes rebuild the header's root, so
    /// `stored` is the committed leaf, but the record's fields rebuild `rebuilt`.
    /// `field` names the column when one changed byte in it explains the difference.
    RecordFields { height: u64, seq: u64, id: EvidenceId, stored: Hash, rebuilt: Hash, field: Option<&'static str> },
    /// The record's fields do not rebuild its stored leaf hash, and neither leaf gives the
    /// header's root (more than one thing changed).
    Leaf { height: u64, seq: u64, id: EvidenceId, stored: Hash, rebuilt: Hash },
    /// A stored tile root (the root of 256 leaves, from which receipts build their proofs) is
    /// not what the block's stored leaf hashes rebuild; `None` where one side has no such tile.
    TileRoot { height: u64, tile: usize, stored: Option<Hash>, rebuilt: Option<Hash> },
    /// A co-signature fails `check` (`cosignature`: readable and a valid signature over the
    /// header; `chain`, `validity`, `role`: as `notarium verify` names them).
    Cosignature { height: u64, witness: String, check: &'static str, reason: String },
    /// An anchored block's valid co-signatures no longer meet the quorum policy.
    Quorum { height: u64, detail: String },
    /// An invoice's ledger columns disagree with its claims: `claimed_cents` is not the sum of
    /// its active (not withdrawn) claims' amounts, or `active_claims` not their number. Checked
    /// after every block is found consistent. Each pair is (stored, rebuilt from the claims);
    /// the text names the invoice and the columns, not the amounts.
    InvoiceLedger { invoice: String, claimed_cents: (i64, i64), active_claims: (i64, i64) },
    /// `notarium audit --witness`: the witness co-signed block `height` with hash `signed`,
    /// and the database has no block at that height (its highest is `max_height`): it was
    /// rolled back (restored from a backup older than what the witnesses co-signed).
    WitnessRollback { witness: String, height: u64, signed: Hash, max_height: Option<u64> },
    /// `notarium audit --witness`: the witness co-signed block `height` with hash `signed`, and
    /// the database's block at that height has hash `stored`: a fork.
    WitnessFork { witness: String, height: u64, signed: Hash, stored: Hash },
}

impl Inconsistency {
    /// The table the inconsistency is in.
    pub fn table(&self) -> Table {
        match self {
            Self::Unreadable { table, .. } => *table,
            Self::MissingEvidence { .. }
            | Self::MetaHash { .. }
            | Self::LeafHash { .. }
            | Self::RecordFields { .. }
            | Self::Leaf { .. } => Table::Evidence,
            Self::Cosignature { .. } | Self::Quorum { .. } => Table::Cosignatures,
            Self::InvoiceLedger { .. } => Table::Invoices,
            Self::WitnessRollback { .. } | Self::WitnessFork { .. } => Table::Witnesses,
            Self::TileRoot { .. } => Table::BlockTiles,
            Self::MissingBlock { .. }
            | Self::BlockRange { .. }
            | Self::HeaderUnparseable { .. }
            | Self::HeaderField { .. }
            | Self::HeaderRoot { .. }
            | Self::Root { .. }
            | Self::BlockHash { .. } => Table::Blocks,
        }
    }
}

impl fmt::Display for Inconsistency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable { table, row, reason } => write!(f, "{table} {row}: the row does not decode: {reason}"),
            Self::MissingBlock { expected, found: Some(found) } => {
                write!(f, "blocks height {expected}: missing (the next stored block is at height {found})")
            }
            Self::MissingBlock { expected, found: None } => {
                write!(f, "blocks height {expected}: missing (it was there when the audit started)")
            }
            Self::BlockRange { height, first_seq, expected } => write!(
                f,
                "blocks height {height}: first_seq is {first_seq}, but the previous block ends at seq {expected}: \
                 the blocks do not cover the evidence contiguously"
            ),
            Self::MissingEvidence { height, seq } => {
                write!(f, "evidence seq {seq}: missing, though block {height} covers it")
            }
            Self::HeaderUnparseable { height, reason } => {
                write!(f, "blocks height {height}: the header does not parse: {reason}")
            }
            Self::HeaderField { height, field, in_header, expected, source, header_intact } => {
                write!(f, "blocks height {height}: the header's {field} is {in_header}, {source} says {expected}")?;
                f.write_str(if *header_intact {
                    " (the header still hashes to its block_hash: the other side was changed)"
                } else {
                    " (the header no longer hashes to its block_hash: the header text was changed)"
                })
            }
            Self::HeaderRoot { height, in_header, rebuilt } => write!(
                f,
                "blocks height {height}: the root in the header was changed: it says {in_header}, the stored leaf \
                 hashes rebuild {rebuilt}, and the header with that root hashes to the stored block_hash"
            ),
            Self::Root { height, in_header, rebuilt } => write!(
                f,
                "blocks height {height}: the stored leaf hashes rebuild root {rebuilt}, the header says {in_header}: \
                 records of this block were replaced, added or removed"
            ),
            Self::BlockHash { height, stored, computed } => {
                write!(f, "blocks height {height}: the header hashes to {computed}, the stored block_hash is {stored}")
            }
            // The meta hashes belong to the owner (the text goes to logs and `/readyz`): not shown.
            Self::MetaHash { seq, id, changed, .. } => write!(
                f,
                "evidence seq {seq} (id {id}): the metadata does not canonicalise to the stored meta_hash: the \
                 {changed} was changed"
            ),
            Self::LeafHash { height, seq, id, stored, rebuilt } => write!(
                f,
                "evidence seq {seq} (id {id}, block {height}): the stored leaf_hash was changed: it is {stored}, the \
                 record's fields rebuild {rebuilt}, and with that leaf the block rebuilds the header's root"
            ),
            Self::RecordFields { height, seq, id, stored, rebuilt, field: Some(field) } => write!(
                f,
                "evidence seq {seq} (id {id}, block {height}): its {field} was changed (one byte): its fields rebuild \
                 leaf hash {rebuilt}, but the stored leaf_hash {stored} is the one the block's root commits to"
            ),
            Self::RecordFields { height, seq, id, stored, rebuilt, field: None } => write!(
                f,
                "evidence seq {seq} (id {id}, block {height}): a field of the record was changed (id, kind, \
                 content_hash, salt, meta_hash, owner or received): its fields rebuild leaf hash {rebuilt}, but the \
                 stored leaf_hash {stored} is the one the block's root commits to"
            ),
            Self::Leaf { height, seq, id, stored, rebuilt } => write!(
                f,
                "evidence seq {seq} (id {id}, block {height}): the record's fields rebuild leaf hash {rebuilt}, not \
                 its stored leaf_hash {stored}, and neither gives the header's root"
            ),
            Self::TileRoot { height, tile, stored, rebuilt } => {
                let shown = |h: &Option<Hash>| h.map_or("absent".to_string(), |h| h.to_string());
                write!(
                    f,
                    "block_tiles height {height}: tile {tile}'s root is stored as {}, the block's leaf hashes rebuild \
                     {}: receipts of this block would carry proofs that do not verify",
                    shown(stored),
                    shown(rebuilt)
                )
            }
            Self::Cosignature { height, witness, check, reason } => {
                write!(f, "cosignatures height {height}, witness {witness}: the {check} check fails: {reason}")
            }
            Self::Quorum { height, detail } => {
                write!(
                    f,
                    "cosignatures height {height}: the block is anchored but its co-signatures miss the quorum: {detail}"
                )
            }
            Self::WitnessRollback { witness, height, signed, max_height } => {
                write!(f, "witnesses {witness}: it co-signed block {height} (hash {signed}), but the database has ")?;
                match max_height {
                    Some(max) => write!(f, "no block {height}: its blocks end at height {max}")?,
                    None => f.write_str("no block at all")?,
                }
                f.write_str(": the database was rolled back (restored from an older backup?); see docs/operations.md, \"A fork\"")
            }
            Self::WitnessFork { witness, height, signed, stored } => write!(
                f,
                "witnesses {witness}: it co-signed block {height} with hash {signed}, the database's block {height} has \
                 hash {stored}: a fork (the database's block was replaced); see docs/operations.md, \"A fork\""
            ),
            Self::InvoiceLedger { invoice, claimed_cents, active_claims } => {
                let columns: Vec<&str> = [("claimed_cents", claimed_cents), ("active_claims", active_claims)]
                    .into_iter()
                    .filter(|(_, (stored, rebuilt))| stored != rebuilt)
                    .map(|(column, _)| column)
                    .collect();
                write!(
                    f,
                    "invoices {invoice}: its {} disagree with its active claims (the claims table adds up to other \
                     values: a ledger column or a claim row was changed)",
                    columns.join(" and ")
                )
            }
        }
    }
}
