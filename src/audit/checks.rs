//! The checks of one block, without I/O: its header against the block row and the previous
//! block, its records against their leaf hashes, the leaves against the header's root, the
//! block hash, the stored tile roots, and its co-signatures. They run in this order, so that one changed byte is
//! named by the first check it breaks and the root/leaf relationship tells which side changed.

use super::inconsistency::{Inconsistency, Table};
use crate::crypto::{OpensslChecker, TrustStore};
use crate::domain::canonical::meta_commitment;
use crate::domain::merkle::MerkleTree;
use crate::domain::merkle_tiles::{TILE_LEAVES, decode_roots, tile_roots};
use crate::domain::quorum::QuorumPolicy;
use crate::domain::verify::CosignatureChecker;
use crate::domain::{BlockHeader, Cosignature, EvidenceId, Hash, Leaf, LogName, Role, Timestamp};
use crate::receipts::chain_of;
use crate::store::{AuditCursor, AuditRow, BlockRow, CosignatureRow, EvidenceRecord};

/// The last block found consistent: the next block must follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainTip {
    pub height: u64,
    pub block_hash: Hash,
    pub log: LogName,
    /// The sequence number after the block's last record.
    pub end_seq: u64,
}

impl ChainTip {
    /// The tip after `block`, whose header is `header`.
    pub fn after(block: &BlockRow, header: &BlockHeader) -> Self {
        Self { height: block.height, block_hash: block.block_hash, log: header.log.clone(), end_seq: block.end_seq() }
    }

    /// The durable cursor for this tip.
    pub fn cursor(&self, audited: Timestamp) -> AuditCursor {
        let Self { height, block_hash, log, end_seq } = self.clone();
        AuditCursor { height, block_hash, log, end_seq, audited }
    }
}

impl From<AuditCursor> for ChainTip {
    fn from(c: AuditCursor) -> Self {
        Self { height: c.height, block_hash: c.block_hash, log: c.log, end_seq: c.end_seq }
    }
}

/// Checks a block row before its records: it starts where `tip` ends, its header parses and
/// its fields agree with the row (`height`, `leaves`, `sealed`) and the chain (`prev`, `log`).
pub fn check_header(tip: Option<&ChainTip>, block: &BlockRow) -> Result<BlockHeader, Inconsistency> {
    let height = block.height;
    let expected_seq = tip.map_or(0, |t| t.end_seq);
    if block.first_seq != expected_seq {
        return Err(Inconsistency::BlockRange { height, first_seq: block.first_seq, expected: expected_seq });
    }
    let header = BlockHeader::parse(&block.header)
        .map_err(|e| Inconsistency::HeaderUnparseable { height, reason: e.to_string() })?;
    let header_intact = Hash::of(block.header.as_bytes()) == block.block_hash;
    let differs = |field, in_header: String, expected: String, source| {
        Err(Inconsistency::HeaderField { height, field, in_header, expected, source, header_intact })
    };
    if header.height != height {
        return differs("height", header.height.to_string(), height.to_string(), "the block row's height");
    }
    let (prev, source) = match tip {
        Some(t) => (t.block_hash, "the previous block's block_hash"),
        None => (Hash::ZERO, "the genesis rule"),
    };
    if header.prev != prev {
        return differs("prev", header.prev.to_string(), prev.to_string(), source);
    }
    if let Some(t) = tip.filter(|t| t.log != header.log) {
        return differs("log", header.log.to_string(), t.log.to_string(), "the previous header");
    }
    if header.leaves != block.leaf_count {
        return differs(
            "leaves",
            header.leaves.to_string(),
            block.leaf_count.to_string(),
            "the block row's leaf_count",
        );
    }
    if header.sealed != block.sealed {
        return differs("sealed", header.sealed.to_string(), block.sealed.to_string(), "the block row's sealed_ms");
    }
    Ok(header)
}

/// The records of one block, checked a page at a time; only their leaf hashes are kept.
#[derive(Debug)]
pub struct LeafScan {
    height: u64,
    next_seq: u64,
    end_seq: u64,
    /// The stored leaf hashes, in order.
    stored: Vec<Hash>,
    /// The records whose fields rebuild another leaf hash than the stored one.
    mismatches: Vec<Mismatch>,
}

#[derive(Debug)]
struct Mismatch {
    index: usize,
    /// The record's leaf as its fields now give it.
    leaf: Leaf,
    seq: u64,
    id: EvidenceId,
    rebuilt: Hash,
}

impl LeafScan {
    pub fn new(block: &BlockRow) -> Self {
        Self {
            height: block.height,
            next_seq: block.first_seq,
            end_seq: block.end_seq(),
            stored: Vec::new(),
            mismatches: Vec::new(),
        }
    }

    /// Checks the next page of the block's records, in `seq` order. A missing or undecodable
    /// record, or metadata that does not hash to its `meta_hash`, is reported at once; a leaf
    /// hash that the fields do not rebuild is kept for [`check_leaves`] to classify.
    pub fn add(&mut self, rows: Vec<AuditRow<u64, EvidenceRecord>>) -> Result<(), Inconsistency> {
        for (seq, row) in rows {
            if seq != self.next_seq {
                return Err(Inconsistency::MissingEvidence { height: self.height, seq: self.next_seq });
            }
            let record = row.map_err(|e| Inconsistency::Unreadable {
                table: Table::Evidence,
                row: format!("seq {seq}"),
                // The outermost message only: a decoding error deeper down may quote private metadata.
                reason: e.to_string(),
            })?;
            check_meta(&record)?;
            // An erased record (its salt deleted) cannot be rebuilt: its stored leaf hash is
            // still checked against the root.
            if let Some(leaf) = record.leaf()
                && leaf.hash() != record.leaf_hash
            {
                let rebuilt = leaf.hash();
                self.mismatches.push(Mismatch { index: self.stored.len(), leaf, seq, id: record.id, rebuilt });
            }
            self.stored.push(record.leaf_hash);
            self.next_seq += 1;
        }
        Ok(())
    }

    /// The `seq` the next page starts at.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// After the last page: every record of the range was there.
    pub fn finish(&self) -> Result<(), Inconsistency> {
        if self.next_seq < self.end_seq {
            return Err(Inconsistency::MissingEvidence { height: self.height, seq: self.next_seq });
        }
        Ok(())
    }
}

/// Metadata, when stored, must canonicalise to `meta_hash`; the leaf tells which one changed.
fn check_meta(r: &EvidenceRecord) -> Result<(), Inconsistency> {
    let Some(metadata) = &r.metadata else { return Ok(()) };
    let computed = meta_commitment(r.meta_salt.as_ref(), Some(metadata));
    if computed == r.meta_hash {
        return Ok(());
    }
    let changed = match r.leaf() {
        Some(leaf) if (Leaf { meta: computed, ..leaf }).hash() == r.leaf_hash => "meta_hash",
        Some(leaf) if leaf.hash() == r.leaf_hash => "metadata",
        _ => "metadata or meta_hash",
    };
    Err(Inconsistency::MetaHash { seq: r.seq, id: r.id, stored: r.meta_hash, computed, changed })
}

/// Checks the scanned leaves against the header's root. The stored leaf hashes are what the
/// root committed to, so: root fine but a record does not rebuild its leaf → a field of the
/// record changed; root broken and the rebuilt leaves restore it → the `leaf_hash` column
/// changed; root broken with every record intact, and the header with the rebuilt root hashes
/// to `block_hash` → the root in the header changed.
pub fn check_leaves(scan: &LeafScan, header: &BlockHeader, block: &BlockRow) -> Result<(), Inconsistency> {
    let height = block.height;
    let rebuilt_root = MerkleTree::from_leaves(&scan.stored).root();
    let at = |m: &Mismatch| (m.seq, m.id, scan.stored[m.index], m.rebuilt);
    if rebuilt_root == header.root {
        return match scan.mismatches.first().map(at) {
            None => Ok(()),
            Some((seq, id, stored, rebuilt)) => {
                let field = scan.mismatches.first().and_then(|m| changed_field(&m.leaf, &stored));
                Err(Inconsistency::RecordFields { height, seq, id, stored, rebuilt, field })
            }
        };
    }
    if let Some((seq, id, stored, rebuilt)) = scan.mismatches.first().map(at) {
        let mut repaired = scan.stored.clone();
        scan.mismatches.iter().for_each(|m| repaired[m.index] = m.rebuilt);
        return Err(if MerkleTree::from_leaves(&repaired).root() == header.root {
            Inconsistency::LeafHash { height, seq, id, stored, rebuilt }
        } else {
            Inconsistency::Leaf { height, seq, id, stored, rebuilt }
        });
    }
    let with_rebuilt_root = BlockHeader { root: rebuilt_root, ..header.clone() };
    Err(if with_rebuilt_root.block_hash() == block.block_hash {
        Inconsistency::HeaderRoot { height, in_header: header.root, rebuilt: rebuilt_root }
    } else {
        Inconsistency::Root { height, in_header: header.root, rebuilt: rebuilt_root }
    })
}

/// The block's stored tile roots, when it has them, must be the roots of its stored leaves:
/// receipts build their proofs from them.
pub fn check_tiles(scan: &LeafScan, block: &BlockRow, stored: Option<&[u8]>) -> Result<(), Inconsistency> {
    let Some(bytes) = stored else { return Ok(()) };
    let height = block.height;
    let stored = decode_roots(bytes).ok_or_else(|| Inconsistency::Unreadable {
        table: Table::BlockTiles,
        row: format!("height {height}"),
        reason: format!("{} bytes is not a whole number of 32-byte roots", bytes.len()),
    })?;
    let rebuilt = tile_roots(&scan.stored, TILE_LEAVES);
    match (0..stored.len().max(rebuilt.len())).find(|&i| stored.get(i) != rebuilt.get(i)) {
        None => Ok(()),
        Some(tile) => Err(Inconsistency::TileRoot {
            height,
            tile,
            stored: stored.get(tile).copied(),
            rebuilt: rebuilt.get(tile).copied(),
        }),
    }
}

/// Which hash column of a record one changed byte explains: the field whose value, with one
/// byte set back to some other value, rebuilds the stored leaf hash (at most 3 × 32 × 255
/// leaf hashes, run only for a record that fails).
pub fn changed_field(leaf: &Leaf, stored: &Hash) -> Option<&'static str> {
    type Field = (&'static str, fn(&mut Leaf) -> &mut [u8; 32]);
    let fields: [Field; 3] =
        [("content_hash", |l| &mut l.content.0), ("salt", |l| &mut l.salt.0), ("meta_hash", |l| &mut l.meta.0)];
    for (name, field) in fields {
        let mut candidate = leaf.clone();
        for at in 0..32 {
            let original = field(&mut candidate)[at];
            for value in (0..=255u8).filter(|v| *v != original) {
                field(&mut candidate)[at] = value;
                if candidate.hash() == *stored {
                    return Some(name);
                }
            }
            field(&mut candidate)[at] = original;
        }
    }
    None
}

/// An anchored block's valid co-signatures still meet the quorum policy (none was deleted).
pub fn check_quorum(
    block: &BlockRow,
    policy: &QuorumPolicy,
    signers: Vec<([u8; 32], Role)>,
) -> Result<(), Inconsistency> {
    let tally = policy.tally(signers);
    if block.anchored.is_none() || tally.met {
        return Ok(());
    }
    Err(Inconsistency::Quorum { height: block.height, detail: format!("{tally}; the policy asks for {policy}") })
}

/// The stored `block_hash` is BLAKE3 of the exact header text.
pub fn check_block_hash(block: &BlockRow) -> Result<(), Inconsistency> {
    let computed = Hash::of(block.header.as_bytes());
    if computed != block.block_hash {
        return Err(Inconsistency::BlockHash { height: block.height, stored: block.block_hash, computed });
    }
    Ok(())
}

/// Checks a stored co-signature over the exact header bytes as a court's verifier does
/// (`OpensslChecker`: signature, chain to `trust`, validity at signing time, role), and that
/// the certificate's role is the one stored with it.
pub fn check_cosignature(
    trust: &TrustStore,
    block: &BlockRow,
    (witness, row): AuditRow<String, CosignatureRow>,
) -> Result<Option<([u8; 32], Role)>, Inconsistency> {
    let height = block.height;
    let fail = |check, reason| Inconsistency::Cosignature { height, witness: witness.clone(), check, reason };
    let row = row.map_err(|e| Inconsistency::Unreadable {
        table: Table::Cosignatures,
        row: format!("height {height}, witness {witness}"),
        reason: format!("{e:#}"),
    })?;
    let chain = chain_of(&row.cms).map_err(|e| fail("cosignature", format!("unreadable: {e:#}")))?;
    let cosig = Cosignature { witness: row.witness, role: row.role, cms: row.cms, chain };
    let c = OpensslChecker { trust }.check(block.header.as_bytes(), &cosig);
    for (check, outcome) in
        [("cosignature", c.signature), ("chain", c.chain), ("validity", c.validity), ("role", c.role)]
    {
        outcome.map_err(|reason| fail(check, reason))?;
    }
    match c.signer.as_ref().and_then(|s| s.role) {
        Some(role) if role == cosig.role => Ok(c.signer.map(|s| (s.key_id, role))),
        certified => Err(fail(
            "role",
            format!(
                "the row says {}, the certificate says {}",
                cosig.role,
                certified.map_or("no role", |r| r.as_str())
            ),
        )),
    }
}
