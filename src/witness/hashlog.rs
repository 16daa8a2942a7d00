//! `hashes.bin`: the block hash of every height a witness signed, as fixed 32-byte records.
//! Record `i` is the hash at height `base + i` (`base` lives in `state.json`), so a lookup is
//! one positioned read and memory stays constant however long the chain grows.
//!
//! Records are written at their offset (never appended blindly) and synced before
//! `state.json` moves on. `state.json` is the commit point: records past its last height
//! (left by a crash between the two writes) are ignored, truncated on open and overwritten.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;

use anyhow::{Context, ensure};

use crate::domain::Hash;

const RECORD: u64 = 32;

/// The open record file.
#[derive(Debug)]
pub struct HashLog {
    file: File,
}

impl HashLog {
    /// Opens (creating) the file and keeps exactly `count` records: more are cut off
    /// (uncommitted), fewer mean the file lost data and is an error.
    pub fn open(path: &Path, count: u64) -> anyhow::Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        let len = file.metadata().with_context(|| format!("reading the size of {}", path.display()))?.len();
        let want = count * RECORD;
        ensure!(
            len >= want,
            "{} holds {} whole records but state.json says {count} heights were signed",
            path.display(),
            len / RECORD
        );
        if len > want {
            file.set_len(want)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cutting {} back to its {count} committed records", path.display()))?;
        }
        Ok(Self { file })
    }

    /// The hash of record `index`.
    pub fn get(&self, index: u64) -> anyhow::Result<Hash> {
        let mut buf = [0u8; 32];
        self.file.read_exact_at(&mut buf, index * RECORD).with_context(|| format!("reading hash record {index}"))?;
        Ok(Hash(buf))
    }

    /// Writes `hashes` as records `first`, `first + 1`, … and syncs the file.
    pub fn put(&self, first: u64, hashes: &[Hash]) -> anyhow::Result<()> {
        let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.0).collect();
        self.file.write_all_at(&bytes, first * RECORD).context("writing hash records")?;
        self.file.sync_data().context("syncing hash records")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_back_by_index_and_extras_are_cut_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hashes.bin");
        let log = HashLog::open(&path, 0).unwrap();
        let hashes: Vec<Hash> = (0u8..5).map(|i| Hash::of(&[i])).collect();
        log.put(0, &hashes[..3]).unwrap();
        log.put(3, &hashes[3..]).unwrap();
        assert_eq!(log.get(4).unwrap(), hashes[4]);
        drop(log);

        // Committed only 3: the last two records (and a torn partial one) are dropped.
        std::io::Write::write_all(&mut OpenOptions::new().append(true).open(&path).unwrap(), &[1, 2, 3]).unwrap();
        let log = HashLog::open(&path, 3).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 96);
        assert_eq!(log.get(2).unwrap(), hashes[2]);
        assert!(log.get(3).is_err());
    }

    #[test]
    fn a_file_shorter_than_committed_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hashes.bin");
        HashLog::open(&path, 0).unwrap().put(0, &[Hash::ZERO]).unwrap();
        let err = HashLog::open(&path, 2).unwrap_err();
        assert!(err.to_string().contains("1 whole records"), "{err:#}");
    }
}
