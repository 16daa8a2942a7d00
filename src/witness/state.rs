//! A witness's durable memory, in its own state directory:
//!
//! - `state.json`: the log it serves, the first height it knows (`base_height`: 0, or the
//!   enrolment height) and its tip: the last signed height, block hash, header and CMS.
//!   Replaced atomically (temp file, fsync, rename, fsync of the directory).
//! - `hashes.bin`: the block hash of every height from `base_height` to the tip
//!   ([`HashLog`]), so that a different header at any signed height is seen as a fork, after
//!   a restart too.
//! - `lock`: held (advisory `flock`) while the state is open, so two processes never sign
//!   from one state directory.
//!
//! A fresh state accepts only height 0. [`enrol`] starts a fresh state at a given height and
//! hash instead (`notarium witness enrol --height H --block-hash X`, DESIGN §5).

use std::fs::{DirBuilder, File};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use serde::{Deserialize, Serialize};

use super::hashlog::HashLog;
use super::protocol::base64_opt;
use crate::domain::{BlockHeader, Hash, LogName, Timestamp};
use crate::files::{lock, write_atomically};

const STATE_FORMAT: &str = "notarium-witness-state/v1";

/// What a witness last signed, or the point it was enrolled at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tip {
    pub height: u64,
    pub block_hash: Hash,
    /// The exact header text; `None` when enrolled and nothing signed since.
    pub header: Option<String>,
    /// Its co-signature (DER); present exactly when `header` is.
    #[serde(with = "base64_opt")]
    pub cms: Option<Vec<u8>>,
}

/// What the witness knows about one height.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtHeight {
    /// It signed (or was enrolled at) this height with this block hash.
    Signed(Hash),
    /// Below its enrolment height `base`: it never saw this part of the chain.
    BeforeHistory { base: u64 },
    /// Above its tip (or the state is fresh).
    Unsigned,
}

/// One header signed by a request, to be recorded.
#[derive(Debug, Clone)]
pub struct NewSignature {
    pub height: u64,
    pub block_hash: Hash,
    pub header: String,
    pub cms: Vec<u8>,
}

/// The open state directory (locked while this value lives).
#[derive(Debug)]
pub struct WitnessState {
    dir: PathBuf,
    hashes: HashLog,
    saved: Saved,
    _lock: File,
}

/// Enrols a fresh state directory at `height` with `block_hash`: the witness then accepts
/// `height + 1` chained to `block_hash`, treats another hash at `height` as a fork and never
/// signs below `height`. Enrolling again at the same point is a no-op; anything else on a
/// state that already has a tip is refused.
pub fn enrol(state_dir: &Path, height: u64, block_hash: Hash) -> anyhow::Result<()> {
    let mut state = WitnessState::open(state_dir)?;
    if let Some(tip) = &state.saved.tip {
        let same = state.saved.base_height == Some(height)
            && tip.height == height
            && tip.block_hash == block_hash
            && tip.header.is_none();
        ensure!(
            same,
            "{} already holds a witness state (last height {}); refusing to enrol over it",
            state_dir.display(),
            tip.height
        );
        return Ok(());
    }
    state.hashes.put(0, &[block_hash])?;
    let saved = Saved {
        base_height: Some(height),
        tip: Some(Tip { height, block_hash, header: None, cms: None }),
        ..state.saved.clone()
    };
    state.commit(saved)
}

impl WitnessState {
    /// Opens (creating, mode 0700) and locks `dir`, and checks that its files agree.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("creating the witness state directory {}", dir.display()))?;
        let lock = lock(dir)?;
        let state_path = dir.join("state.json");
        let saved = match std::fs::read(&state_path) {
            Ok(bytes) => {
                serde_json::from_slice::<Saved>(&bytes).with_context(|| format!("reading {}", state_path.display()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Saved::fresh(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", state_path.display())),
        };
        let count = saved.check().with_context(|| format!("checking {}", state_path.display()))?;
        let hashes = HashLog::open(&dir.join("hashes.bin"), count)?;
        if let (Some(tip), Some(base)) = (&saved.tip, saved.base_height) {
            let recorded = hashes.get(tip.height - base)?;
            ensure!(recorded == tip.block_hash, "hashes.bin disagrees with state.json at height {}", tip.height);
        }
        Ok(Self { dir: dir.to_owned(), hashes, saved, _lock: lock })
    }

    /// The log this state signed for; `None` until it signs its first header.
    pub fn log(&self) -> Option<&LogName> {
        self.saved.log.as_ref()
    }

    /// The last signed (or enrolled) point; `None` when fresh.
    pub fn tip(&self) -> Option<&Tip> {
        self.saved.tip.as_ref()
    }

    /// What the witness knows about `height`.
    pub fn at(&self, height: u64) -> anyhow::Result<AtHeight> {
        match (self.saved.base_height, &self.saved.tip) {
            (Some(base), _) if height < base => Ok(AtHeight::BeforeHistory { base }),
            (Some(base), Some(tip)) if height <= tip.height => Ok(AtHeight::Signed(self.hashes.get(height - base)?)),
            _ => Ok(AtHeight::Unsigned),
        }
    }

    /// Durably records `signed` (consecutive heights following the tip, for `log`): the
    /// hashes first, then `state.json`. On error the state in memory is unchanged.
    pub fn record(&mut self, log: &LogName, signed: &[NewSignature]) -> anyhow::Result<()> {
        let (Some(first), Some(last)) = (signed.first(), signed.last()) else { return Ok(()) };
        let expected = self.saved.tip.as_ref().map_or(Some(0), |t| t.height.checked_add(1));
        ensure!(Some(first.height) == expected, "recording height {} after tip {:?}", first.height, expected);
        ensure!(signed.windows(2).all(|w| w[0].height.checked_add(1) == Some(w[1].height)), "heights not consecutive");
        ensure!(self.saved.log.as_ref().is_none_or(|l| l == log), "this state belongs to another log");
        let base = self.saved.base_height.unwrap_or(first.height);
        let hashes: Vec<Hash> = signed.iter().map(|s| s.block_hash).collect();
        self.hashes.put(first.height - base, &hashes)?;
        let saved = Saved {
            format: STATE_FORMAT.into(),
            log: Some(log.clone()),
            base_height: Some(base),
            tip: Some(Tip {
                height: last.height,
                block_hash: last.block_hash,
                header: Some(last.header.clone()),
                cms: Some(last.cms.clone()),
            }),
        };
        self.commit(saved)
    }

    /// Writes `saved` as `state.json` atomically, then adopts it.
    fn commit(&mut self, saved: Saved) -> anyhow::Result<()> {
        let json = serde_json::to_vec_pretty(&saved).context("encoding the witness state")?;
        write_atomically(&self.dir, "state.json", &json)?;
        self.saved = saved;
        Ok(())
    }
}

impl Tip {
    /// The `sealed` time of the tip's header, when it has one.
    pub fn sealed(&self) -> Option<Timestamp> {
        self.header.as_deref().and_then(|h| BlockHeader::parse(h).ok()).map(|h| h.sealed)
    }
}

/// The content of `state.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    format: String,
    log: Option<LogName>,
    /// The height of record 0 of `hashes.bin`.
    base_height: Option<u64>,
    tip: Option<Tip>,
}

impl Saved {
    fn fresh() -> Self {
        Self { format: STATE_FORMAT.into(), log: None, base_height: None, tip: None }
    }

    /// Checks the invariants and returns the number of hash records it commits to.
    fn check(&self) -> anyhow::Result<u64> {
        ensure!(self.format == STATE_FORMAT, "unknown state format {:?}", self.format);
        let (base, tip) = match (self.base_height, &self.tip) {
            (None, None) => return Ok(0),
            (Some(base), Some(tip)) if base <= tip.height => (base, tip),
            _ => bail!("base_height and tip disagree"),
        };
        match (&tip.header, &tip.cms) {
            (None, None) => {}
            (Some(text), Some(_)) => {
                let header = BlockHeader::parse(text).context("the tip header does not parse")?;
                ensure!(header.height == tip.height, "the tip header is not at the tip height");
                ensure!(Hash::of(text.as_bytes()) == tip.block_hash, "the tip header does not hash to the tip hash");
                ensure!(self.log.as_ref() == Some(&header.log), "the tip header names another log");
            }
            _ => bail!("the tip has a header without its co-signature or the reverse"),
        }
        (tip.height - base).checked_add(1).context("the signed range is too long")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Timestamp;

    fn header(height: u64, prev: Hash) -> BlockHeader {
        BlockHeader {
            log: "notarium.test/dev".parse().unwrap(),
            height,
            prev,
            root: Hash::ZERO,
            leaves: 0,
            sealed: Timestamp::from_unix_millis(1_800_000_000_000 + height as i64).unwrap(),
        }
    }

    fn chain(n: u64) -> Vec<NewSignature> {
        let mut prev = Hash::ZERO;
        (0..n)
            .map(|height| {
                let h = header(height, prev);
                prev = h.block_hash();
                NewSignature { height, block_hash: prev, header: h.text(), cms: vec![height as u8; 3] }
            })
            .collect()
    }

    #[test]
    fn a_recorded_chain_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let signed = chain(5);
        let log = header(0, Hash::ZERO).log;
        {
            let mut state = WitnessState::open(dir.path()).unwrap();
            assert_eq!(state.at(0).unwrap(), AtHeight::Unsigned);
            state.record(&log, &signed[..2]).unwrap();
            state.record(&log, &signed[2..]).unwrap();
        }
        let state = WitnessState::open(dir.path()).unwrap();
        assert_eq!(state.log(), Some(&log));
        let tip = state.tip().unwrap();
        assert_eq!((tip.height, tip.block_hash), (4, signed[4].block_hash));
        assert_eq!(tip.header.as_deref(), Some(signed[4].header.as_str()));
        assert_eq!(tip.cms.as_deref(), Some(&[4u8, 4, 4][..]));
        for s in &signed {
            assert_eq!(state.at(s.height).unwrap(), AtHeight::Signed(s.block_hash));
        }
        assert_eq!(state.at(5).unwrap(), AtHeight::Unsigned);
        assert!(!dir.path().join("state.json.tmp").exists());
    }

    #[test]
    fn a_crash_while_writing_state_json_leaves_the_previous_state() {
        let dir = tempfile::tempdir().unwrap();
        let signed = chain(3);
        let log = header(0, Hash::ZERO).log;
        WitnessState::open(dir.path()).unwrap().record(&log, &signed[..2]).unwrap();
        // The temporary file of an interrupted write, never renamed into place.
        std::fs::write(dir.path().join("state.json.tmp"), b"{\"format\": \"notarium-wit").unwrap();
        let mut state = WitnessState::open(dir.path()).unwrap();
        assert_eq!(state.tip().unwrap().height, 1);
        state.record(&log, &signed[2..]).unwrap();
        drop(state);
        assert_eq!(WitnessState::open(dir.path()).unwrap().tip().unwrap().height, 2);
    }

    #[test]
    fn a_second_open_of_the_same_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = WitnessState::open(dir.path()).unwrap();
        let err = WitnessState::open(dir.path()).unwrap_err();
        assert!(err.to_string().contains("in use"), "{err:#}");
    }

    #[test]
    fn an_uncommitted_hash_record_is_ignored_after_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let signed = chain(3);
        let log = header(0, Hash::ZERO).log;
        {
            let mut state = WitnessState::open(dir.path()).unwrap();
            state.record(&log, &signed[..2]).unwrap();
            // A crash after the hashes were written but before state.json moved on.
            state.hashes.put(2, &[signed[2].block_hash]).unwrap();
        }
        let mut state = WitnessState::open(dir.path()).unwrap();
        assert_eq!(state.tip().unwrap().height, 1);
        assert_eq!(state.at(2).unwrap(), AtHeight::Unsigned);
        state.record(&log, &signed[2..]).unwrap();
        assert_eq!(state.at(2).unwrap(), AtHeight::Signed(signed[2].block_hash));
    }

    #[test]
    fn damaged_or_inconsistent_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let log = header(0, Hash::ZERO).log;
        WitnessState::open(dir.path()).unwrap().record(&log, &chain(2)).unwrap();
        let good = std::fs::read(dir.path().join("state.json")).unwrap();

        std::fs::write(dir.path().join("state.json"), &good[..good.len() / 2]).unwrap();
        assert!(WitnessState::open(dir.path()).is_err(), "truncated state.json");

        std::fs::write(dir.path().join("state.json"), &good).unwrap();
        std::fs::write(dir.path().join("hashes.bin"), [7u8; 64]).unwrap();
        let err = WitnessState::open(dir.path()).unwrap_err();
        assert!(err.to_string().contains("disagrees"), "{err:#}");
    }

    #[test]
    fn enrolment_starts_at_the_given_point_once() {
        let dir = tempfile::tempdir().unwrap();
        let x = Hash::of(b"block 41");
        enrol(dir.path(), 41, x).unwrap();
        enrol(dir.path(), 41, x).unwrap();
        assert!(enrol(dir.path(), 41, Hash::ZERO).is_err());
        assert!(enrol(dir.path(), 40, x).is_err());

        let mut state = WitnessState::open(dir.path()).unwrap();
        assert_eq!(state.at(41).unwrap(), AtHeight::Signed(x));
        assert_eq!(state.at(0).unwrap(), AtHeight::BeforeHistory { base: 41 });
        assert_eq!(state.tip().unwrap().sealed(), None);
        let next = header(42, x);
        let signed = NewSignature { height: 42, block_hash: next.block_hash(), header: next.text(), cms: vec![1] };
        state.record(&next.log, std::slice::from_ref(&signed)).unwrap();
        drop(state);

        let state = WitnessState::open(dir.path()).unwrap();
        assert_eq!(state.at(41).unwrap(), AtHeight::Signed(x));
        assert_eq!(state.at(42).unwrap(), AtHeight::Signed(signed.block_hash));
        assert_eq!(state.tip().unwrap().sealed(), Some(next.sealed));
        drop(state);
        assert!(enrol(dir.path(), 41, x).is_err(), "a state that signed since is not enrolled again");
    }
}
