//! `notarium backup DEST` and `notarium restore SRC` (docs/operations.md, "Backup and
//! restore"): a consistent copy of a SQLite data directory made beside a running server, and
//! the way back.
//!
//! A backup holds the database as of one commit (`VACUUM INTO`, [`crate::store::sqlite::snapshot`]),
//! then the originals that copy refers to (copied after it, so every one it refers to exists:
//! originals are kept before their record is written and never change), `pki/` (the witnesses'
//! keys of the embedded default and the trust anchors, without which the restored co-signatures
//! would not chain) and `demo-keys.txt`, and last `backup.json`, whose presence marks a finished
//! backup. Not in it: the witnesses' state (`witnesses/`): a witness's memory of what it
//! co-signed must outlive the log it watches, or a rolled-back log could not be told from the
//! one it signed. PostgreSQL is backed up with its own tools.

mod copy;
mod restore;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use serde::{Deserialize, Serialize};

pub use copy::Copied;
pub use restore::{RestoreError, RestoreSummary, restore};

use crate::domain::Timestamp;
use crate::store::blobs::Blobs;
use crate::store::sqlite::snapshot::{for_each_content, vacuum_into};
use crate::store::{DB_FILE, Database, Store};

/// The file that marks a finished backup and describes it.
pub const MANIFEST: &str = "backup.json";
/// What a backup holds besides the database and `blobs/`: copied when present.
const PKI_DIR: &str = "pki";
const BLOBS_DIR: &str = "blobs";
const DEMO_KEYS: &str = "demo-keys.txt";
/// The manifest's `format`.
const FORMAT: &str = "notarium-backup/1";

/// `backup.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// When the database was copied (RFC 3339, UTC).
    pub created: String,
    /// The highest block height in the copy, if it has a block.
    pub max_height: Option<u64>,
    /// The records in the copy.
    pub records: u64,
    /// Originals copied, and their bytes.
    pub originals: u64,
    pub original_bytes: u64,
}

/// Why no backup was made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is PostgreSQL: its own tools back it up consistently.
    #[error(
        "the database is PostgreSQL: back it up with pg_dump (or pg_basebackup), and data/pki with it \
         (docs/operations.md, \"Backup and restore\"); notarium backup copies a SQLite data directory"
    )]
    Postgres,
    /// The destination exists and is not an empty directory.
    #[error("{0} exists and is not empty: a backup goes into a new or empty directory")]
    DestinationNotEmpty(PathBuf),
    /// Reading the data directory or writing the backup failed; the text says where.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What a finished backup holds, and how long it took.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub manifest: Manifest,
    /// Files copied from `pki/` (and `demo-keys.txt`).
    pub pki_files: u64,
    pub elapsed_ms: u64,
}

/// Backs up the data directory `data`, whose database is `database`, into `dest` (created
/// 0700, or an existing empty directory).
pub async fn backup(data: &Path, database: &Database, dest: &Path) -> Result<BackupSummary, BackupError> {
    let started = Instant::now();
    let Database::Sqlite(db) = database else { return Err(BackupError::Postgres) };
    if !copy::missing_or_empty(dest)? {
        return Err(BackupError::DestinationNotEmpty(dest.to_owned()));
    }
    copy::private_dir(dest)?;
    // An empty file of the right mode: `VACUUM INTO` writes into it.
    let copy_db = dest.join(DB_FILE);
    crate::files::create_new(&copy_db, b"", 0o600)?;
    let created = Timestamp::now().to_string();
    vacuum_into(db, &copy_db).await?;

    let (max_height, records) = {
        let store = Store::connect_read_only(&Database::Sqlite(copy_db.clone())).await?;
        let counts = (store.max_height().await, store.evidence_count().await);
        store.close().await;
        (counts.0?, counts.1?)
    };
    let originals = copy_originals(&copy_db, &data.join(BLOBS_DIR), &dest.join(BLOBS_DIR)).await?;
    let mut pki = Copied::default();
    if data.join(PKI_DIR).is_dir() {
        pki = copy::copy_tree(&data.join(PKI_DIR), &dest.join(PKI_DIR), false)?;
    }
    copy::count(&mut pki, copy::copy_if_present(data, dest, DEMO_KEYS, false)?);
    let manifest = Manifest {
        format: FORMAT.into(),
        created,
        max_height,
        records,
        originals: originals.files,
        original_bytes: originals.bytes,
    };
    let text = serde_json::to_vec_pretty(&manifest).context("writing the manifest")?;
    copy::sync_dir(dest)?;
    crate::files::create_new(&dest.join(MANIFEST), &text, 0o600)?;
    copy::sync_dir(dest)?;
    Ok(BackupSummary { manifest, pki_files: pki.files, elapsed_ms: started.elapsed().as_millis() as u64 })
}

/// Copies the original of every (owner, content hash) of the database `db` that `from` keeps
/// into `to`; a record registered by its hash alone has none.
async fn copy_originals(db: &Path, from: &Path, to: &Path) -> anyhow::Result<Copied> {
    let (source, target) = (Blobs::new(from.to_owned(), from.to_owned()), Blobs::new(to.to_owned(), to.to_owned()));
    let mut copied = Copied::default();
    let mut dirs = std::collections::BTreeSet::new();
    for_each_content(db, |owner, hash| {
        let path = source.path(&owner, &hash);
        if !path.is_file() {
            return Ok(());
        }
        let into = target.path(&owner, &hash);
        let dir = into.parent().context("an original's path has a directory")?.to_owned();
        if dirs.insert(dir.clone()) {
            copy::private_dir(&dir)?;
        }
        copy::count(&mut copied, copy::copy_file(&path, &into, false)?);
        Ok(())
    })
    .await?;
    for dir in &dirs {
        copy::sync_dir(dir)?;
    }
    if !dirs.is_empty() {
        copy::sync_dir(to)?;
    }
    Ok(copied)
}

/// The manifest of the backup in `dir`; `None` when it has none (not a finished backup).
pub fn read_manifest(dir: &Path) -> anyhow::Result<Option<Manifest>> {
    let path = dir.join(MANIFEST);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let manifest: Manifest = serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a backup manifest", path.display()))?;
            anyhow::ensure!(manifest.format == FORMAT, "{} is {}, not {FORMAT}", path.display(), manifest.format);
            Ok(Some(manifest))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}
