//! `notarium restore SRC --data DIR`: a finished backup into a fresh or empty data directory
//! (or over one, with `force`). The witnesses' state already in `DIR/witnesses/` is left as it
//! is: restoring an older log beside witnesses that co-signed later blocks is a rollback, which
//! they refuse as a fork (docs/operations.md, "A fork").

use std::path::{Path, PathBuf};

use super::copy::{self, Copied};
use super::{BLOBS_DIR, DEMO_KEYS, Manifest, PKI_DIR, read_manifest};
use crate::store::{DB_FILE, Database};

/// Why nothing was restored.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The source holds no `backup.json`: not a backup, or one that did not finish.
    #[error("{0} holds no backup.json: not a finished notarium backup")]
    NotABackup(PathBuf),
    /// The data directory holds files and `force` was not given.
    #[error("{0} is not empty: restore into a new or empty data directory, or give --force to replace its database")]
    NotEmpty(PathBuf),
    /// The target database is PostgreSQL: a SQLite backup is not restored into it.
    #[error(
        "the database is PostgreSQL: restore it with pg_restore (docs/operations.md, \"Backup and restore\"); \
         notarium restore writes a SQLite data directory"
    )]
    Postgres,
    /// Reading the backup or writing the data directory failed (also: a server runs on it).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What was restored.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    pub manifest: Manifest,
    pub originals: Copied,
    pub pki_files: u64,
}

/// Restores the backup `src` into the data directory `data`, whose database is `database`.
/// With `force`, a non-empty `data` is restored over: its database is replaced, the backup's
/// originals and `pki/` files are written over its own, and its other files stay.
pub fn restore(src: &Path, data: &Path, database: &Database, force: bool) -> Result<RestoreSummary, RestoreError> {
    let manifest = read_manifest(src)?.ok_or_else(|| RestoreError::NotABackup(src.to_owned()))?;
    let Database::Sqlite(db) = database else { return Err(RestoreError::Postgres) };
    if !force && !copy::missing_or_empty(data)? {
        return Err(RestoreError::NotEmpty(data.to_owned()));
    }
    copy::private_dir(data)?;
    // No server may run on it meanwhile (the same lock `notarium serve` takes).
    let _lock = crate::files::lock(data)?;
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", db.display()));
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(anyhow::Error::new(e).context(format!("removing {}", path.display())).into()),
        }
    }
    if let Some(dir) = db.parent() {
        copy::private_dir(dir)?;
    }
    copy::copy_file(&src.join(DB_FILE), db, true)?;
    let mut originals = Copied::default();
    if src.join(BLOBS_DIR).is_dir() {
        originals = copy::copy_tree(&src.join(BLOBS_DIR), &data.join(BLOBS_DIR), true)?;
    }
    let mut pki = Copied::default();
    if src.join(PKI_DIR).is_dir() {
        pki = copy::copy_tree(&src.join(PKI_DIR), &data.join(PKI_DIR), true)?;
    }
    copy::count(&mut pki, copy::copy_if_present(src, data, DEMO_KEYS, true)?);
    copy::sync_dir(data)?;
    if let Some(dir) = db.parent() {
        copy::sync_dir(dir)?;
    }
    Ok(RestoreSummary { manifest, originals, pki_files: pki.files })
}
