//! The plain-language first lines of a verification report: what a person asks (is this the
//! file? is the receipt good? does the service still show the same history?), answered before
//! the technical checks. The JSON report and the CLI say each in English
//! ([`std::fmt::Display`]); the pages say it in the reader's language.

use std::fmt;

use serde::{Serialize, Serializer};

use super::checks::Check;
use super::names::LogName;
use super::online::{OnlineHead, WalkOutcome};
use super::receipt::Receipt;

/// One plain answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// `content_hash` passed.
    FileMatches,
    /// `content_hash` failed.
    FileDiffers,
    /// No file was given.
    NoFile,
    /// Every check of the receipt itself passed (leaf, proof, header, co-signatures, quorum).
    ReceiptValid { height: u64, log: LogName },
    /// A check of the receipt itself failed; the names of those that did.
    ReceiptInvalid { failed: Vec<String> },
    /// `online_header` passed.
    SameHeader { height: u64 },
    /// `online_header` failed: the service serves another header at this height.
    DifferentHeader { height: u64 },
    /// `online_header` failed: the service serves no block at this height any more.
    HeaderGone { height: u64 },
    /// `online_header` or `online_head` failed because the service could not be asked.
    ServiceUnavailable,
    /// `online_head` passed.
    HistoryLinked { head: u64 },
    /// `online_head` is `null`: the walk stopped at the cap.
    HistoryNotBeyond { checked: u64 },
    /// `online_head` failed: the newest history does not build on this block or is not co-signed.
    HistoryBroken,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FileMatches => f.write_str("This is the registered file."),
            Self::FileDiffers => f.write_str("This is NOT the file that was registered."),
            Self::NoFile => f.write_str("No file was given: the receipt was checked, not a file."),
            Self::ReceiptValid { height, log } => write!(
                f,
                "The receipt is valid: the record is in block {height} of log {log}, co-signed by enough independent witnesses."
            ),
            Self::ReceiptInvalid { failed } => {
                write!(f, "The receipt is invalid: these checks failed: {}.", failed.join(", "))
            }
            Self::SameHeader { height } => {
                write!(f, "The service still shows the same history: the same block at height {height}.")
            }
            Self::DifferentHeader { height } => {
                write!(f, "The service now shows a DIFFERENT history at this height ({height}).")
            }
            Self::HeaderGone { height } => write!(
                f,
                "The service now shows a DIFFERENT history: it no longer shows this block (height {height})."
            ),
            Self::ServiceUnavailable => {
                f.write_str("The service could not be asked whether it still shows this history (see the checks).")
            }
            Self::HistoryLinked { head } => write!(
                f,
                "The service's newest co-signed block, at height {head}, builds on this one: its history since was not rewritten."
            ),
            Self::HistoryNotBeyond { checked } => write!(
                f,
                "The service's history after this block was checked for {checked} blocks only, not up to its newest block."
            ),
            Self::HistoryBroken => f.write_str(
                "The service's newest history does NOT build on this block, or is not co-signed as it must be (see online_head).",
            ),
        }
    }
}

/// Verdicts appear in JSON as their English sentence.
impl Serialize for Verdict {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The checks that are about the receipt itself, not the file or the service.
const NOT_THE_RECEIPT: [&str; 3] = ["content_hash", "online_header", "online_head"];

/// The plain answers of a report whose checks are `checks`.
pub(super) fn summary(
    receipt: &Receipt,
    checks: &[Check],
    online_header: Option<&Result<Option<String>, String>>,
    online_head: Option<&OnlineHead>,
) -> Vec<Verdict> {
    let ok = |name: &str| checks.iter().find(|c| c.name == name).and_then(|c| c.ok);
    let height = receipt.block.height;
    let mut out = vec![match ok("content_hash") {
        Some(true) => Verdict::FileMatches,
        Some(false) => Verdict::FileDiffers,
        None => Verdict::NoFile,
    }];
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c.ok == Some(false) && !NOT_THE_RECEIPT.contains(&c.name.as_str()))
        .map(|c| c.name.clone())
        .collect();
    out.push(match failed.is_empty() {
        true => Verdict::ReceiptValid { height, log: receipt.block.log.clone() },
        false => Verdict::ReceiptInvalid { failed },
    });
    let mut unavailable = false;
    match online_header {
        None => {}
        Some(Ok(Some(served))) if *served == receipt.block.header => out.push(Verdict::SameHeader { height }),
        Some(Ok(Some(_))) => out.push(Verdict::DifferentHeader { height }),
        Some(Ok(None)) => out.push(Verdict::HeaderGone { height }),
        Some(Err(_)) => unavailable = true,
    }
    match online_head {
        None => {}
        Some(OnlineHead::Unavailable(_)) => unavailable = true,
        Some(OnlineHead::Walked { walk, .. }) => out.push(match (ok("online_head"), walk) {
            (Some(true), WalkOutcome::Linked { to, .. }) => Verdict::HistoryLinked { head: *to },
            (None, WalkOutcome::NotBeyond { checked, .. }) => Verdict::HistoryNotBeyond { checked: *checked },
            _ => Verdict::HistoryBroken,
        }),
    }
    if unavailable {
        out.push(Verdict::ServiceUnavailable);
    }
    out
}
