//! Assembling a receipt from the store: the record, its Merkle proof, the block header and
//! the witnesses' co-signatures with their certificate chains.

use anyhow::Context;
use openssl::x509::X509;

use crate::crypto::cms::inspect;
use crate::domain::merkle::MerkleTree;
use crate::domain::receipt::RECEIPT_FORMAT;
use crate::domain::{Cosignature, InclusionProof, Receipt, ReceiptBlock, ReceiptEvidence};
use crate::store::{EvidenceRecord, Store};

/// The receipt of `record`, or `None` while its block is not anchored. Without `disclose`,
/// the metadata is left out (it still verifies through `meta_hash`).
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
    let leaves = store.leaf_hashes(block.first_seq, block.leaf_count).await?;
    let index = record.seq - block.first_seq;
    let tree = MerkleTree::from_leaves(&leaves);
    let siblings = tree.proof(index as usize).context("the record is inside its block")?;
    let header = block.parsed()?;
    let mut cosignatures = Vec::new();
    for c in store.cosignatures(block.height).await? {
        cosignatures.push(Cosignature { chain: chain_of(&c.cms)?, witness: c.witness, role: c.role, cms: c.cms });
    }
    Ok(Some(Receipt {
        format: RECEIPT_FORMAT.into(),
        evidence: ReceiptEvidence::from_leaf(
            record.leaf().context("the record's content was erased: no new receipt")?,
            if disclose { record.metadata.clone() } else { None },
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

/// The certificates a co-signature carries, as the receipt lists them: signer first.
pub fn chain_of(cms: &[u8]) -> anyhow::Result<Vec<String>> {
    let facts = inspect(cms).context("a stored co-signature")?;
    std::iter::once(&facts.signer_cert)
        .chain(&facts.other_certs)
        .map(|der| Ok(String::from_utf8(X509::from_der(der)?.to_pem()?)?))
        .collect()
}
