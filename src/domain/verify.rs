//! Receipt verification: the named checks of docs/formats.md §Verification and the plain
//! statement of what a valid receipt proves and does not prove.
//!
//! This module is pure: the cryptographic checks of each co-signature come from a
//! [`CosignatureChecker`] (the openssl one lives in `crypto::checker`), so that the rules here
//! (which checks exist, what counts towards the quorum, what is valid) are tested on their own.

use serde::Serialize;

use super::canonical::{meta_commitment, meta_hash};
pub use super::checks::Check;
use super::checks::{failed, not_applicable, outcome, passed};
use super::header::BlockHeader;
use super::hex32::Hash;
use super::leaf::LeafVersion;
use super::merkle::verify_inclusion;
use super::names::Role;
use super::online::{OnlineHead, WalkOutcome};
pub use super::quorum::QuorumPolicy;
use super::receipt::{Cosignature, MAX_COSIGNATURES, Receipt};
pub use super::statements::Statement;
use super::time::Timestamp;
pub use super::verdicts::Verdict;
use super::verdicts::summary;

/// The verdict: the body of `POST /v1/verify` and of `notarium verify --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    pub valid: bool,
    /// The plain answers, for people, before the technical checks.
    #[schema(value_type = Vec<String>)]
    pub summary: Vec<Verdict>,
    pub checks: Vec<Check>,
    pub proves: Vec<Statement>,
    pub does_not_prove: Vec<Statement>,
}

/// The outcome of one cryptographic check: `Ok(detail)` or `Err(reason)`.
pub type Outcome = Result<String, String>;

/// What the certificate of a co-signature says about its signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// SHA-256 of the signer's SubjectPublicKeyInfo: what the quorum counts.
    pub key_id: [u8; 32],
    /// The role of the certificate's single OU, when it names one.
    pub role: Option<Role>,
    /// The CMS `signingTime` attribute.
    pub signing_time: Option<Timestamp>,
    /// The certificate's subject, for people.
    pub subject: String,
}

/// The four checks of one co-signature, as made by a [`CosignatureChecker`].
#[derive(Debug, Clone)]
pub struct CosignatureChecks {
    pub signature: Outcome,
    pub chain: Outcome,
    pub validity: Outcome,
    pub role: Outcome,
    /// `None` when no signer certificate could be read at all.
    pub signer: Option<Signer>,
}

/// Checks the co-signatures of a receipt against trust anchors.
pub trait CosignatureChecker {
    /// Checks `cosignature` over the exact header bytes.
    fn check(&self, header: &[u8], cosignature: &Cosignature) -> CosignatureChecks;
}

/// What a verifier is asked beyond the receipt itself.
#[derive(Debug, Clone, Default)]
pub struct VerifyInput {
    /// BLAKE3 of the file the user supplied, if any.
    pub file_hash: Option<Hash>,
    /// The header the server serves at this height today (`None`: it serves no block there), if
    /// `--online` was asked.
    pub online_header: Option<Result<Option<String>, String>>,
    /// The server's anchored head and the walk to it, if `--online` was asked.
    pub online_head: Option<OnlineHead>,
}

/// Verifies `receipt`: every check by name, the verdict, and what it proves.
pub fn verify(
    receipt: &Receipt,
    input: &VerifyInput,
    checker: &dyn CosignatureChecker,
    policy: &QuorumPolicy,
) -> VerifyReport {
    let mut checks = Vec::new();
    let ev = &receipt.evidence;

    checks.push(match input.file_hash {
        None => not_applicable("content_hash", "no file given: the content itself was not checked"),
        Some(h) if h == ev.content_hash => passed("content_hash", format!("the file hashes to {h}")),
        Some(h) => failed("content_hash", format!("the file hashes to {h}, the receipt names {}", ev.content_hash)),
    });

    checks.push(check_leaf(receipt));
    let header = BlockHeader::parse(&receipt.block.header);
    checks.push(check_inclusion(receipt, header.as_ref().ok()));
    checks.push(check_block_hash(receipt, &header));

    let (cosig_checks, counted) = cosignature_checks(&receipt.block.header, &receipt.cosignatures, checker);
    checks.extend(cosig_checks);
    checks.push(check_quorum(&counted, policy));
    checks.push(match &input.online_header {
        None => not_applicable("online_header", "not asked (use --online URL)"),
        Some(Ok(Some(served))) if *served == receipt.block.header => {
            passed("online_header", format!("the server still serves this header at height {}", receipt.block.height))
        }
        Some(Ok(None)) => {
            failed("online_header", format!("the server serves no block at height {}", receipt.block.height))
        }
        Some(Ok(Some(_))) => {
            failed("online_header", format!("the server serves a different header at height {}", receipt.block.height))
        }
        Some(Err(e)) => failed("online_header", format!("could not fetch the header: {e}")),
    });
    checks.push(match &input.online_head {
        None => not_applicable("online_head", "not asked (use --online URL)"),
        Some(head) => check_online_head(receipt, head, checker, policy),
    });

    let valid = checks.iter().all(|c| c.ok != Some(false));
    let proves = if valid { proves(receipt, input, &counted) } else { Vec::new() };
    let summary = summary(receipt, &checks, input.online_header.as_ref(), input.online_head.as_ref());
    VerifyReport { valid, summary, checks, proves, does_not_prove: does_not_prove(receipt) }
}

/// The four checks of each co-signature over `header`, in order, and the signers of those that
/// pass all four (what the quorum counts).
fn cosignature_checks<'c>(
    header: &str,
    cosignatures: &'c [Cosignature],
    checker: &dyn CosignatureChecker,
) -> (Vec<Check>, Vec<(&'c Cosignature, Signer)>) {
    let (mut checks, mut counted) = (Vec::new(), Vec::new());
    for cosig in cosignatures {
        let c = checker.check(header.as_bytes(), cosig);
        let w = &cosig.witness;
        let all_ok = c.signature.is_ok() && c.chain.is_ok() && c.validity.is_ok() && c.role.is_ok();
        checks.push(outcome(format!("cosignature:{w}"), c.signature));
        checks.push(outcome(format!("chain:{w}"), c.chain));
        checks.push(outcome(format!("validity:{w}"), c.validity));
        checks.push(outcome(format!("role:{w}"), c.role));
        if let (true, Some(signer)) = (all_ok, c.signer) {
            counted.push((cosig, signer));
        }
    }
    (checks, counted)
}

/// `online_head`: the service's anchored head is co-signed as the receipt's block must be
/// (same anchors, same quorum), and the walk links the receipt's block to it.
fn check_online_head(
    receipt: &Receipt,
    head: &OnlineHead,
    checker: &dyn CosignatureChecker,
    policy: &QuorumPolicy,
) -> Check {
    const NAME: &str = "online_head";
    let (head, walk) = match head {
        OnlineHead::Unavailable(e) => return failed(NAME, format!("could not fetch the newest header: {e}")),
        OnlineHead::Walked { head, walk } => (head, walk),
    };
    let height = BlockHeader::parse(&head.header).map_or_else(|_| "?".to_owned(), |h| h.height.to_string());
    if head.cosignatures.len() > MAX_COSIGNATURES {
        let n = head.cosignatures.len();
        return failed(
            NAME,
            format!("the newest header (height {height}) comes with {n} co-signatures, more than {MAX_COSIGNATURES}"),
        );
    }
    let (checks, counted) = cosignature_checks(&head.header, &head.cosignatures, checker);
    if let Some(bad) = checks.iter().find(|c| c.ok != Some(true)) {
        return failed(NAME, format!("the newest header (height {height}): {} fails: {}", bad.name, bad.detail));
    }
    let quorum = check_quorum(&counted, policy);
    if quorum.ok != Some(true) {
        return failed(
            NAME,
            format!("the newest header (height {height}) is not co-signed by a quorum: {}", quorum.detail),
        );
    }
    let from = receipt.block.height;
    match walk {
        WalkOutcome::Linked { to, .. } => passed(
            NAME,
            format!(
                "the newest anchored header, height {to}, is co-signed by a quorum and links back through {} header(s) to this block",
                to - from
            ),
        ),
        WalkOutcome::NotBeyond { checked, head_height } => not_applicable(
            NAME,
            &format!(
                "not checked beyond {checked} headers: heights {} to {} link to this block; the newest anchored header, height {head_height}, is co-signed by a quorum",
                from + 1,
                from + checked
            ),
        ),
        WalkOutcome::Broken(e) => failed(NAME, e.clone()),
    }
}

fn check_leaf(receipt: &Receipt) -> Check {
    let ev = &receipt.evidence;
    // v1: the disclosed metadata hashes to `meta_hash`. v2: with `meta_salt`, the metadata (or
    // `{}` when the record has none) hashes, keyed with it, to `meta_hash`.
    if ev.metadata.is_some() || ev.meta_salt.is_some() {
        let computed = meta_commitment(ev.meta_salt.as_ref(), ev.metadata.as_ref());
        if computed != ev.meta_hash {
            let what = match (&ev.metadata, &ev.meta_salt) {
                (_, None) => "the metadata hashes",
                (Some(_), Some(_)) => "the metadata, keyed with meta_salt, hashes",
                (None, Some(_)) => "no metadata ({}), keyed with meta_salt, hashes",
            };
            return failed("leaf_hash", format!("{what} to {computed}, the receipt names meta_hash {}", ev.meta_hash));
        }
    }
    let computed = receipt.leaf().hash();
    if computed == receipt.leaf_hash {
        let how = if ev.metadata.is_some() { "the disclosed metadata and the" } else { "the" };
        passed("leaf_hash", format!("{how} evidence fields rebuild leaf hash {computed}"))
    } else {
        failed(
            "leaf_hash",
            format!("the evidence fields rebuild leaf hash {computed}, the receipt names {}", receipt.leaf_hash),
        )
    }
}

fn check_inclusion(receipt: &Receipt, header: Option<&BlockHeader>) -> Check {
    let Some(header) = header else {
        return failed("inclusion_proof", "the block header does not parse, so there is no root to check against");
    };
    let p = &receipt.proof;
    if p.leaf_count != header.leaves {
        return failed(
            "inclusion_proof",
            format!("the proof is for {} leaves, the block has {}", p.leaf_count, header.leaves),
        );
    }
    match verify_inclusion(&receipt.leaf_hash, p.leaf_index, p.leaf_count, &p.siblings, &header.root) {
        Ok(()) => passed(
            "inclusion_proof",
            format!("leaf {} of {} leads to root {}", p.leaf_index, p.leaf_count, header.root),
        ),
        Err(e) => failed("inclusion_proof", e.to_string()),
    }
}

fn check_block_hash(receipt: &Receipt, header: &Result<BlockHeader, super::lines::LinesError>) -> Check {
    let b = &receipt.block;
    let header = match header {
        Ok(h) => h,
        Err(e) => return failed("block_hash", format!("the header does not parse: {e}")),
    };
    if header.log != b.log || header.height != b.height {
        return failed(
            "block_hash",
            format!(
                "the header is for {} height {}, the receipt names {} height {}",
                header.log, header.height, b.log, b.height
            ),
        );
    }
    let computed = Hash::of(b.header.as_bytes());
    if computed == b.block_hash {
        passed("block_hash", format!("the header of {} height {} hashes to {computed}", b.log, b.height))
    } else {
        failed("block_hash", format!("the header hashes to {computed}, the receipt names {}", b.block_hash))
    }
}

fn check_quorum(counted: &[(&Cosignature, Signer)], policy: &QuorumPolicy) -> Check {
    let tally = policy.tally(counted.iter().filter_map(|(_, s)| s.role.map(|role| (s.key_id, role))));
    let detail = format!(
        "{tally}; the policy asks for {} court, {} notary, {} distinct",
        policy.court, policy.notary, policy.distinct_keys
    );
    Check { name: "quorum".into(), ok: Some(tally.met), detail }
}

fn proves(receipt: &Receipt, input: &VerifyInput, counted: &[(&Cosignature, Signer)]) -> Vec<Statement> {
    let ev = &receipt.evidence;
    let mut out = vec![Statement::Included {
        id: ev.id,
        kind: ev.kind,
        content_hash: ev.content_hash,
        leaf_index: receipt.proof.leaf_index,
        height: receipt.block.height,
        log: receipt.block.log.clone(),
    }];
    for (cosig, signer) in counted {
        if let Some(signed) = signer.signing_time {
            // CMS signing times have one-second precision (truncated): the witness signed
            // somewhere in [t, t + 1 s), so the bound is the end of that second.
            let bound = Timestamp::from_unix_millis(signed.unix_millis() + 1000).unwrap_or(signed);
            out.push(Statement::ExistedBy {
                bound,
                signed,
                witness: cosig.witness.to_string(),
                role: signer.role,
                subject: signer.subject.clone(),
            });
        }
    }
    out.push(if input.file_hash.is_some() { Statement::FileMatches } else { Statement::NoFileGiven });
    out
}

fn does_not_prove(receipt: &Receipt) -> Vec<Statement> {
    let mut out = vec![Statement::NotAuthorship, Statement::NotTruth, Statement::NotFirstHolder];
    let ev = &receipt.evidence;
    let undisclosed = match ev.meta_salt {
        // v2: `meta_salt` is disclosed with the metadata, or with none when there is none.
        Some(_) => false,
        None => {
            ev.metadata.is_none() && (receipt.version() != Some(LeafVersion::V1) || ev.meta_hash != meta_hash(None))
        }
    };
    if undisclosed {
        out.push(Statement::MetadataUndisclosed);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(key: u8, role: Role) -> Signer {
        Signer { key_id: [key; 32], role: Some(role), signing_time: None, subject: String::new() }
    }

    fn quorum(signers: &[Signer], policy: QuorumPolicy) -> bool {
        let cosig: Cosignature = serde_json::from_value(serde_json::json!(
            {"witness": "w", "role": "court", "cms": "", "chain": []}
        ))
        .unwrap();
        let counted: Vec<_> = signers.iter().map(|s| (&cosig, s.clone())).collect();
        check_quorum(&counted, &policy).ok == Some(true)
    }

    #[test]
    fn a_key_certified_for_both_roles_fills_one_gap_only() {
        use Role::{Court as C, Notary as N};
        let default = QuorumPolicy::default();
        assert!(quorum(&[signer(1, C), signer(2, N)], default));
        assert!(!quorum(&[signer(1, C), signer(1, N)], default));
        assert!(!quorum(&[signer(1, C), signer(1, C)], default));
        assert!(quorum(&[signer(1, C), signer(2, C), signer(2, N)], default));
        // Two keys each certified as both, plus one court key, cannot meet 2 court + 2 notary.
        let two_two = QuorumPolicy { court: 2, notary: 2, distinct_keys: 3 };
        let both_twice = [signer(1, C), signer(1, N), signer(2, C), signer(2, N), signer(3, C)];
        assert!(!quorum(&both_twice, two_two));
        assert!(quorum(&[signer(1, C), signer(1, N), signer(2, C), signer(2, N), signer(3, C), signer(4, N)], two_two));
    }
}
