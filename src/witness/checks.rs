//! The checks a witness runs over a cosign request before it signs anything (DESIGN §5).
//! They read the state and never change it: a request is accepted whole or refused whole.
//!
//! In order: every header parses, names this witness's log and is well-formed for the
//! producer's rules (genesis `prev` zero, empty block root zero); no header contradicts a
//! height already signed (fork) or lies below the enrolment height; the request is at
//! consecutive heights; the first header not signed yet follows the tip; each later one chains
//! to the one before; `sealed` never decreases; the newest header is within `max_skew` of now.
//!
//! A break *between two headers of one request* is `malformed_header` (422): the request
//! contradicts itself, whatever the witness has signed. `gap`, `fork` and `sealed_backwards`
//! against the tip are conflicts with the witness's state (409).

use std::time::Duration;

use super::protocol::MAX_HEADERS_PER_REQUEST;
use super::state::{AtHeight, WitnessState};
use crate::domain::{BlockHeader, Hash, LogName, Timestamp};

/// A header the witness will sign: a new one, or one it signed before with this very hash
/// (signed again so that an operator who lost the first co-signature, e.g. in a crash, can
/// still anchor the block; signing the same header twice is not equivocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    /// Its index in the request.
    pub index: usize,
    pub height: u64,
    pub block_hash: Hash,
    /// Not signed before: it advances the witness's state.
    pub new: bool,
}

/// Why a request is refused. Every variant leaves the state untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// More than [`MAX_HEADERS_PER_REQUEST`] headers.
    #[error("{0} headers in one request; at most {MAX_HEADERS_PER_REQUEST}")]
    TooMany(usize),
    /// A header does not parse, breaks a producer rule, or does not chain to the header
    /// before it in the request.
    #[error("header {index}: {reason}")]
    MalformedHeader { index: usize, reason: String },
    /// A header names another log.
    #[error("header {index} is for log {found}, this witness serves {expected}")]
    WrongLog { index: usize, found: LogName, expected: LogName },
    /// A header at a signed height with another block hash, or the first new header's `prev`
    /// is not the block hash of the last signed header.
    #[error("header {index} at height {height} conflicts with what this witness signed")]
    Fork { index: usize, height: u64 },
    /// The first new header skips heights after the last signed one.
    #[error("header {index} is at height {height}, but the next height to sign is {expected}")]
    Gap { index: usize, height: u64, expected: u64 },
    /// A header below the height this witness was enrolled at: it never saw that part of the
    /// chain and cannot vouch for it.
    #[error("header {index} is at height {height}, below the enrolment height {base}")]
    BeforeEnrolment { index: usize, height: u64, base: u64 },
    /// `sealed` goes back in time (against the last signed header or within the request).
    #[error("header {index} was sealed at {sealed}, before {previous} of the header before it")]
    SealedBackwards { index: usize, sealed: Timestamp, previous: Timestamp },
    /// The newest header's `sealed` is more than `max_skew` away from the witness's clock.
    #[error("the newest header was sealed at {sealed}; this witness's clock says {now} (max skew {max_skew_ms} ms)")]
    ClockSkew { sealed: Timestamp, now: Timestamp, max_skew_ms: u128 },
}

/// Checks `headers` against `state`. The outer error is a failure to read the state; the
/// inner one is the verdict. `Ok(Ok(accepted))` lists the headers to sign, oldest first
/// (empty when all were signed before).
pub fn check_request(
    state: &WitnessState,
    log: &LogName,
    headers: &[String],
    now: Timestamp,
    max_skew: Duration,
) -> anyhow::Result<Result<Vec<Accepted>, Refusal>> {
    if headers.len() > MAX_HEADERS_PER_REQUEST {
        return Ok(Err(Refusal::TooMany(headers.len())));
    }
    let parsed = match parse_all(log, headers) {
        Ok(p) => p,
        Err(refusal) => return Ok(Err(refusal)),
    };
    for (index, (h, hash)) in parsed.iter().enumerate() {
        match state.at(h.height)? {
            AtHeight::Signed(recorded) if recorded != *hash => {
                return Ok(Err(Refusal::Fork { index, height: h.height }));
            }
            AtHeight::BeforeHistory { base } => {
                return Ok(Err(Refusal::BeforeEnrolment { index, height: h.height, base }));
            }
            AtHeight::Signed(_) | AtHeight::Unsigned => {}
        }
    }
    Ok(chain(state, &parsed, now, max_skew))
}

/// Parses each header and applies the per-header rules.
fn parse_all(log: &LogName, headers: &[String]) -> Result<Vec<(BlockHeader, Hash)>, Refusal> {
    let mut out = Vec::with_capacity(headers.len());
    for (index, text) in headers.iter().enumerate() {
        let malformed = |reason: String| Refusal::MalformedHeader { index, reason };
        let h = BlockHeader::parse(text).map_err(|e| malformed(e.to_string()))?;
        if h.log != *log {
            return Err(Refusal::WrongLog { index, found: h.log, expected: log.clone() });
        }
        if h.height == 0 && h.prev != Hash::ZERO {
            return Err(malformed("the genesis header's prev must be zero".into()));
        }
        if h.leaves == 0 && h.root != Hash::ZERO {
            return Err(malformed("an empty block's root must be zero".into()));
        }
        // The parser is strict, so the text is the canonical text of `h`.
        out.push((h, Hash::of(text.as_bytes())));
    }
    Ok(out)
}

/// The chaining, time-order and clock rules, once no header contradicts a signed height.
fn chain(
    state: &WitnessState,
    parsed: &[(BlockHeader, Hash)],
    now: Timestamp,
    max_skew: Duration,
) -> Result<Vec<Accepted>, Refusal> {
    let tip = state.tip();
    let mut accepted: Vec<Accepted> = Vec::new();
    for (index, (h, hash)) in parsed.iter().enumerate() {
        let before = index.checked_sub(1).map(|i| &parsed[i]);
        if let Some((b, _)) = before
            && b.height.checked_add(1) != Some(h.height)
        {
            let reason = format!("height {} does not follow height {} of the header before", h.height, b.height);
            return Err(Refusal::MalformedHeader { index, reason });
        }
        if tip.is_some_and(|t| h.height <= t.height) {
            // Signed before with this very hash (checked by the caller): signed again.
            accepted.push(Accepted { index, height: h.height, block_hash: *hash, new: false });
            continue;
        }
        let (prev_hash, prev_sealed) = match (accepted.last().filter(|a| a.new), tip) {
            (Some(_), _) => {
                let (b, b_hash) = before.expect("a new header before this one");
                if h.prev != *b_hash {
                    let reason = "prev is not the block hash of the header before".to_owned();
                    return Err(Refusal::MalformedHeader { index, reason });
                }
                (*b_hash, Some(b.sealed))
            }
            (None, None) if h.height != 0 => return Err(Refusal::Gap { index, height: h.height, expected: 0 }),
            (None, None) => (Hash::ZERO, None),
            (None, Some(t)) if h.height > t.height + 1 => {
                return Err(Refusal::Gap { index, height: h.height, expected: t.height + 1 });
            }
            (None, Some(t)) => (t.block_hash, t.sealed()),
        };
        if h.prev != prev_hash {
            return Err(Refusal::Fork { index, height: h.height });
        }
        if let Some(previous) = prev_sealed
            && h.sealed < previous
        {
            return Err(Refusal::SealedBackwards { index, sealed: h.sealed, previous });
        }
        accepted.push(Accepted { index, height: h.height, block_hash: *hash, new: true });
    }
    // Only the newest new header must be fresh: old ones are signed late by design. A full
    // page (MAX_HEADERS_PER_REQUEST headers) announces that more follow, so a backlog longer
    // than one page can be caught up: it is held only to the future bound. What a receipt
    // proves rests on the CMS signing time, so signing late never backdates anything.
    let full_page = parsed.len() == MAX_HEADERS_PER_REQUEST;
    if let Some(newest) = accepted.iter().rev().find(|a| a.new) {
        let sealed = parsed[newest.index].0.sealed;
        let max_skew_ms = max_skew.as_millis() as i64;
        let ahead = sealed.unix_millis() - now.unix_millis();
        if ahead > max_skew_ms || (!full_page && -ahead > max_skew_ms) {
            return Err(Refusal::ClockSkew { sealed, now, max_skew_ms: max_skew_ms as u128 });
        }
    }
    Ok(accepted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::witness::state::NewSignature;

    const SKEW: Duration = Duration::from_secs(5);

    fn log() -> LogName {
        "notarium.test/dev".parse().unwrap()
    }

    /// Headers 0..n, one second apart, ending now.
    fn chain_of(n: u64, now: Timestamp) -> Vec<BlockHeader> {
        let mut prev = Hash::ZERO;
        (0..n)
            .map(|height| {
                let ms = now.unix_millis() - 1000 * (n - 1 - height) as i64;
                let h = BlockHeader {
                    log: log(),
                    height,
                    prev,
                    root: Hash::ZERO,
                    leaves: 0,
                    sealed: Timestamp::from_unix_millis(ms).unwrap(),
                };
                prev = h.block_hash();
                h
            })
            .collect()
    }

    fn texts(headers: &[BlockHeader]) -> Vec<String> {
        headers.iter().map(BlockHeader::text).collect()
    }

    fn check(state: &WitnessState, headers: &[String], now: Timestamp) -> Result<Vec<Accepted>, Refusal> {
        check_request(state, &log(), headers, now, SKEW).unwrap()
    }

    #[test]
    fn a_fresh_witness_accepts_a_chain_from_genesis_and_signs_again_what_it_signed() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = WitnessState::open(dir.path()).unwrap();
        let now = Timestamp::now();
        let chain = chain_of(4, now);
        let accepted = check(&state, &texts(&chain), now).unwrap();
        assert_eq!(accepted.iter().map(|a| a.height).collect::<Vec<_>>(), [0, 1, 2, 3]);

        let signed: Vec<NewSignature> = chain[..2]
            .iter()
            .map(|h| NewSignature { height: h.height, block_hash: h.block_hash(), header: h.text(), cms: vec![1] })
            .collect();
        state.record(&log(), &signed).unwrap();
        let accepted = check(&state, &texts(&chain), now).unwrap();
        let seen = |a: &[Accepted]| a.iter().map(|a| (a.index, a.height, a.new)).collect::<Vec<_>>();
        assert_eq!(seen(&accepted), [(0, 0, false), (1, 1, false), (2, 2, true), (3, 3, true)]);
        let again = check(&state, &texts(&chain[..2]), now).unwrap();
        assert_eq!(seen(&again), [(0, 0, false), (1, 1, false)]);
    }

    #[test]
    fn breaks_inside_one_request_are_malformed_headers() {
        let dir = tempfile::tempdir().unwrap();
        let state = WitnessState::open(dir.path()).unwrap();
        let now = Timestamp::now();
        let chain = chain_of(3, now);

        let skipped = texts(&[chain[0].clone(), chain[2].clone()]);
        assert!(matches!(check(&state, &skipped, now), Err(Refusal::MalformedHeader { index: 1, .. })));

        let mut unchained = chain.clone();
        unchained[2].prev = Hash::of(b"elsewhere");
        assert!(matches!(check(&state, &texts(&unchained), now), Err(Refusal::MalformedHeader { index: 2, .. })));

        let mut genesis = chain[0].clone();
        genesis.prev = Hash::of(b"x");
        assert!(matches!(check(&state, &texts(&[genesis]), now), Err(Refusal::MalformedHeader { index: 0, .. })));

        let mut rooted = chain[0].clone();
        rooted.root = Hash::of(b"x");
        assert!(matches!(check(&state, &texts(&[rooted]), now), Err(Refusal::MalformedHeader { index: 0, .. })));
    }

    #[test]
    fn too_many_headers_and_time_rules() {
        let dir = tempfile::tempdir().unwrap();
        let state = WitnessState::open(dir.path()).unwrap();
        let now = Timestamp::now();
        let many = vec![String::new(); MAX_HEADERS_PER_REQUEST + 1];
        assert_eq!(check(&state, &many, now), Err(Refusal::TooMany(MAX_HEADERS_PER_REQUEST + 1)));

        let mut backwards = chain_of(2, now);
        backwards[0].sealed = Timestamp::from_unix_millis(now.unix_millis() + 1).unwrap();
        backwards[1].prev = backwards[0].block_hash();
        assert!(matches!(check(&state, &texts(&backwards), now), Err(Refusal::SealedBackwards { index: 1, .. })));

        let edge = Timestamp::from_unix_millis(now.unix_millis() + 5000).unwrap();
        assert!(check(&state, &texts(&chain_of(1, edge)), now).is_ok(), "exactly max_skew is allowed");
        let late = Timestamp::from_unix_millis(now.unix_millis() - 5001).unwrap();
        assert!(matches!(check(&state, &texts(&chain_of(1, late)), now), Err(Refusal::ClockSkew { .. })));
    }
}
