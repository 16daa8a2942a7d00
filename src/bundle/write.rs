//! Writing `receipt.zip`: `receipt.json`, then the same content as plain files for outside
//! tools (`header.txt`, `leaf.txt`, in a v2 receipt that discloses its metadata
//! `metadata.json`, in a v2 receipt `proof.txt`, `<witness>.p7s` and `chain-<witness>.pem`
//! per co-signature), then in a v2 receipt the constant `verify.sh`, then `VERIFY.txt`.
//! A v1 receipt's zip is what it was before version 2, byte for byte.
//!
//! The output is deterministic: entries in that fixed order, every entry dated 1980-01-01
//! 00:00 (the zip epoch), mode 0644, deflated. The same receipt gives the same bytes.

use std::io::{Cursor, Write};

use anyhow::Context;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::proof_txt::proof_txt;
use super::verify_sh::{VERIFY_SH, verify_txt_v2};
use super::verify_txt::verify_txt;
use super::{
    HEADER_IN_ZIP, LEAF_IN_ZIP, METADATA_IN_ZIP, PROOF_IN_ZIP, RECEIPT_IN_ZIP, VERIFY_IN_ZIP, VERIFY_SH_IN_ZIP,
    chain_in_zip, cosignature_in_zip,
};
use crate::crypto::cms::inspect;
use crate::domain::canonical::canonical_json;
use crate::domain::leaf::LeafVersion;
use crate::domain::{Receipt, Timestamp};

/// The receipt bundle of `receipt` (docs/formats.md §7): what
/// `GET /v1/evidence/{id}/receipt.zip` serves. Fails only when a co-signature carries no
/// readable `signingTime`, which `VERIFY.txt` needs for `openssl cms -verify -attime`.
pub fn write_receipt_zip(receipt: &Receipt) -> anyhow::Result<Vec<u8>> {
    let signing_times = receipt
        .cosignatures
        .iter()
        .map(|c| {
            let facts = inspect(&c.cms).with_context(|| format!("reading the co-signature of {}", c.witness))?;
            facts.signing_time.with_context(|| format!("the co-signature of {} has no signingTime", c.witness))
        })
        .collect::<anyhow::Result<Vec<Timestamp>>>()?;

    let mut entries: Vec<(String, Vec<u8>)> = vec![
        (RECEIPT_IN_ZIP.into(), receipt.to_json_pretty().into_bytes()),
        (HEADER_IN_ZIP.into(), receipt.block.header.clone().into_bytes()),
        (LEAF_IN_ZIP.into(), receipt.leaf().text().into_bytes()),
    ];
    let v2 = receipt.version() == Some(LeafVersion::V2);
    // v2: the disclosed metadata as the bytes its keyed `meta` covers, for `b3sum --keyed`.
    if let (true, Some(metadata)) = (v2, &receipt.evidence.metadata) {
        entries.push((METADATA_IN_ZIP.into(), canonical_json(&serde_json::Value::Object(metadata.clone()))));
    }
    if v2 {
        entries.push((PROOF_IN_ZIP.into(), proof_txt(receipt).into_bytes()));
    }
    for c in &receipt.cosignatures {
        entries.push((cosignature_in_zip(&c.witness), c.cms.clone()));
        entries.push((chain_in_zip(&c.witness), c.chain.concat().into_bytes()));
    }
    let verify_txt = if v2 {
        entries.push((VERIFY_SH_IN_ZIP.into(), VERIFY_SH.as_bytes().to_vec()));
        verify_txt_v2(receipt)
    } else {
        verify_txt(receipt, &signing_times)
    };
    entries.push((VERIFY_IN_ZIP.into(), verify_txt.into_bytes()));

    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).with_context(|| format!("starting {name} in the zip"))?;
        zip.write_all(&bytes).with_context(|| format!("writing {name} into the zip"))?;
    }
    Ok(zip.finish().context("finishing the zip")?.into_inner())
}
