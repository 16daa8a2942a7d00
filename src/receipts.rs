//! Assembling a receipt from the store: the record, its Merkle proof, the block header and
//! the witnesses' co-signatures with their certificate chains.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use anyhow::Context;
use openssl::x509::X509;

use crate::crypto::cms::inspect;
use crate::domain::merkle::{MerkleTree, verify_inclusion};
use crate::domain::merkle_tiles::{TILE_LEAVES, decode_roots, proof_from_tiles, tile_range};
use crate::domain::receipt::{RECEIPT_FORMAT, RECEIPT_FORMAT_V2};
use crate::domain::{Cosignature, Hash, InclusionProof, Receipt, ReceiptBlock, ReceiptEvidence};
use crate::store::{BlockRow, EvidenceRecord, Store};

/// The receipt of `record`, or `None` while its block is not anchored: v2 for a record with a
/// `meta_salt`, v1 (as it always was) for one registered before. Without `disclose`, the
/// metadata and its `meta_salt` are left out (it still verifies through `meta_hash`).
pub async fn receipt_for(store: &Store, record: &EvidenceRecord, disclose: bool) -> anyhow::Result<Option<Receipt>> {
    // Read again: the content may have been erased while a caller held the record.
    let record = &store.evidence_by_id(&record.id).await?.context("the record is gone")?;
    if record.salt.is_none() {
        return Ok(None);
    }
    let Some(block) = store.block_containing(record.seq).await? else { return Ok(None) };
    if block.anchored.is_none() {
        return Ok(None);
    }
    let index = record.seq - block.first_seq;
    let siblings = proof(store, &block, index).await?;
    let header = block.parsed()?;
    // A missing row or a damaged tile root must be an error here, not a receipt that fails
    // at the court: the proof is checked against the header's root before it is handed out.
    verify_inclusion(&record.leaf_hash, index, block.leaf_count, &siblings, &header.root).with_context(|| {
        format!("the stored proof of seq {} does not lead to block {}'s root", record.seq, block.height)
    })?;
    let mut cosignatures = Vec::new();
    for c in store.cosignatures(block.height).await? {
        cosignatures.push(Cosignature { chain: cached_chain(&c.cms)?, witness: c.witness, role: c.role, cms: c.cms });
    }
    Ok(Some(Receipt {
        format: if record.meta_salt.is_some() { RECEIPT_FORMAT_V2 } else { RECEIPT_FORMAT }.into(),
        evidence: ReceiptEvidence::from_leaf(
            record.leaf().context("the record's content was erased: no new receipt")?,
            if disclose { record.metadata.clone() } else { None },
            if disclose { record.meta_salt } else { None },
        ),
        leaf_hash: record.leaf_hash,
        proof: InclusionProof { leaf_index: index, leaf_count: block.leaf_count, siblings },
        block: ReceiptBlock {
            log: header.log,
            height: block.height,
            header: block.header,
            block_hash: block.block_hash,
        },
        cosignatures,
    }))
}

/// The inclusion proof of leaf `index` of `block`: from one tile's leaves and the stored tile
/// roots, or, for a block sealed before tiles were stored, from all of its leaves.
async fn proof(store: &Store, block: &BlockRow, index: u64) -> anyhow::Result<Vec<Hash>> {
    let Some(stored) = store.block_tiles(block.height).await? else {
        let leaves = store.leaf_hashes(block.first_seq, block.leaf_count).await?;
        return MerkleTree::from_leaves(&leaves).proof(index as usize).context("the record is inside its block");
    };
    let roots = decode_roots(&stored).with_context(|| format!("block {}: stored tile roots", block.height))?;
    let (first, end) = tile_range(index, block.leaf_count, TILE_LEAVES);
    let leaves = store.leaf_hashes(block.first_seq + first, end - first).await?;
    proof_from_tiles(&leaves, index as usize, &roots, TILE_LEAVES)
        .with_context(|| format!("block {}: leaf {index} is not in its tile or the tile roots", block.height))
}

/// Chains already read, by the co-signature's BLAKE3: every receipt of a block carries the same
/// co-signatures, and reading one's certificates with openssl was a third of a receipt's time.
/// A pure function of the bytes, so never stale; started over when full.
static CHAINS: LazyLock<Mutex<HashMap<Hash, Vec<String>>>> = LazyLock::new(Mutex::default);
const MAX_CHAINS: usize = 1024;

/// [`chain_of`], remembered.
fn cached_chain(cms: &[u8]) -> anyhow::Result<Vec<String>> {
    let key = Hash::of(cms);
    if let Some(chain) = CHAINS.lock().expect("chain cache lock").get(&key) {
        return Ok(chain.clone());
    }
    let chain = chain_of(cms)?;
    let mut chains = CHAINS.lock().expect("chain cache lock");
    if chains.len() >= MAX_CHAINS {
        chains.clear();
    }
    chains.insert(key, chain.clone());
    Ok(chain)
}

/// The certificates a co-signature carries, as the receipt lists them: signer first.
pub fn chain_of(cms: &[u8]) -> anyhow::Result<Vec<String>> {
    let facts = inspect(cms).context("a stored co-signature")?;
    std::iter::once(&facts.signer_cert)
        .chain(&facts.other_certs)
        .map(|der| Ok(String::from_utf8(X509::from_der(der)?.to_pem()?)?))
        .collect()
}
