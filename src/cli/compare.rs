//! `notarium compare RECEIPT SUSPECT_IMAGE`: the check a court runs on a pirated copy, offline.
//! It verifies the receipt (as `notarium verify` does, so the fingerprints in its metadata are
//! the ones the anchored leaf commits to), decodes the suspect picture, and prints the smallest
//! distance between the suspect's fingerprints and the committed ones, and whether it is within
//! the algorithm's threshold. A suspect identical to the registered file is said so; a picture
//! too flat for its fingerprints to mean anything (PDQ quality below 50, on either side) is
//! inconclusive unless identical. Exit 0 identical or within the threshold, of a valid receipt;
//! 1 not within it, inconclusive, or an invalid receipt; 2 unusable input.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::Serialize;

use super::verify::{Anchors, printable, read_bounded, read_receipt_file};
use crate::domain::{EvidenceId, EvidenceKind, Hash, Timestamp};
use crate::fingerprint::decode::decode;
use crate::fingerprint::set::{self, ALGORITHM, THRESHOLD, for_query};
use crate::images::metadata::{committed_fingerprints, format_name};

/// Largest suspect file read.
const MAX_SUSPECT_BYTES: usize = 256 << 20;

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// The image's receipt (`receipt.json` or `receipt.zip`), with its metadata disclosed.
    receipt: PathBuf,
    /// The suspect picture: JPEG, PNG or WebP.
    suspect: PathBuf,
    #[command(flatten)]
    anchors: Anchors,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// What the comparison found.
#[derive(Debug, Serialize)]
pub struct Comparison {
    pub evidence: EvidenceId,
    pub registered: Timestamp,
    pub block: u64,
    /// Every check of the receipt passed.
    pub receipt_valid: bool,
    /// The receipt checks that failed, by name.
    pub failed_checks: Vec<String>,
    pub algorithm: String,
    pub threshold: u32,
    /// Smallest distance, in bits of 256, between a suspect fingerprint and a committed one.
    pub distance: u32,
    pub within_threshold: bool,
    /// The suspect file is byte for byte the registered one (its BLAKE3 is the content hash).
    pub identical: bool,
    /// Both pictures have enough detail for their fingerprints to mean something; a flat
    /// picture (quality below 50) is only comparable byte for byte.
    pub conclusive: bool,
    pub suspect: String,
}

pub fn run(args: &CompareArgs) -> ExitCode {
    match compare(args) {
        Ok(c) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&c).expect("a comparison serialises"));
            } else {
                print!("{}", human(&c));
            }
            ExitCode::from(if c.receipt_valid && c.shown() { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("notarium compare: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn compare(args: &CompareArgs) -> anyhow::Result<Comparison> {
    let receipt = read_receipt_file(&args.receipt)?;
    if receipt.evidence.kind != EvidenceKind::Image {
        bail!("the receipt is of a {} record, not of an image", receipt.evidence.kind);
    }
    let Some(metadata) = &receipt.evidence.metadata else {
        bail!(
            "the receipt does not disclose its metadata (downloaded with ?disclose=none): no fingerprints to compare"
        );
    };
    let (algorithm, stored) = committed_fingerprints(metadata).map_err(anyhow::Error::msg)?;
    if algorithm != ALGORITHM {
        bail!("the receipt's fingerprints are {algorithm:?}; this notarium compares {ALGORITHM:?}");
    }
    let report = args.anchors.verify(&receipt, None)?;
    let bytes = read_bounded(&args.suspect, MAX_SUSPECT_BYTES)?;
    let decoded = decode(&bytes).with_context(|| format!("decoding {}", args.suspect.display()))?;
    let query = for_query(&decoded.image);
    let distance = set::distance(&query, &stored);
    let failed_checks = report.checks.iter().filter(|c| c.ok == Some(false)).map(|c| c.name.to_string()).collect();
    Ok(Comparison {
        evidence: receipt.evidence.id,
        registered: receipt.evidence.received,
        block: receipt.block.height,
        receipt_valid: report.valid,
        failed_checks,
        algorithm,
        threshold: THRESHOLD,
        distance,
        within_threshold: distance <= THRESHOLD,
        identical: Hash::of(&bytes) == receipt.evidence.content_hash,
        conclusive: query.is_reliable() && stored.is_reliable(),
        suspect: format!(
            "{}: {} {} × {}{}",
            args.suspect.display(),
            format_name(decoded.format),
            decoded.image.width(),
            decoded.image.height(),
            if query.is_reliable() { "" } else { " (too flat for a reliable fingerprint)" }
        ),
    })
}

impl Comparison {
    /// Whether the suspect is shown to be the registered picture or a copy of it.
    pub fn shown(&self) -> bool {
        self.identical || (self.conclusive && self.within_threshold)
    }
}

fn human(c: &Comparison) -> String {
    let receipt = if c.receipt_valid {
        "VALID (every check passed)".to_owned()
    } else {
        format!("INVALID (failed: {}; run notarium verify for details)", c.failed_checks.join(", "))
    };
    let verdict = match (c.receipt_valid, c.within_threshold) {
        (false, _) => "NOT SHOWN: the receipt does not verify, so its fingerprints prove nothing.".to_owned(),
        _ if c.identical => format!(
            "IDENTICAL: the suspect file is byte for byte the one record {} registered at {}, in block {}.",
            c.evidence, c.registered, c.block
        ),
        _ if !c.conclusive => "INCONCLUSIVE: the picture is too flat (PDQ quality below 50) for fingerprints to tell \
            copies from other pictures; only an identical file would be shown."
            .to_owned(),
        (true, true) => format!(
            "MATCH: the suspect picture is within {} bits of a fingerprint that record {} committed to when it was \
             registered at {}, in block {}.",
            c.threshold, c.evidence, c.registered, c.block
        ),
        (true, false) => format!(
            "NO MATCH: the suspect picture is {} bits from the nearest committed fingerprint (threshold {}).",
            c.distance, c.threshold
        ),
    };
    format!(
        "receipt   {receipt}\nrecord    {} registered {} (block {})\nsuspect   {}\ndistance  {} of 256 bits \
         (threshold {}, {})\n\n{verdict}\n",
        c.evidence,
        c.registered,
        c.block,
        printable(&c.suspect),
        c.distance,
        c.threshold,
        c.algorithm
    )
}
