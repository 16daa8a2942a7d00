//! [`Store`], the cheap-to-clone handle on the storage that the server and the CLI hold.

use std::ops::Deref;
use std::path::{Path, PathBuf};

use anyhow::Context;
use std::sync::Arc;

use super::Database;
use super::copy::{CopySource, CopyTarget};
use super::postgres::PgStore;
use super::sqlite::{PageLimit, SqliteStore};
use super::storage::Storage;
use crate::fingerprint::pdq::Pdq;

/// The handle on the storage the server and the CLI hold; methods are the [`Storage`] traits'.
#[derive(Clone)]
pub struct Store(Arc<dyn Storage>);

impl Store {
    /// Wraps an implementation of the storage.
    pub fn new(storage: impl Storage + 'static) -> Self {
        Self(Arc::new(storage))
    }

    /// Opens (creating if needed) the SQLite database under `data_dir` and applies migrations.
    pub async fn open(data_dir: &Path) -> anyhow::Result<Self> {
        Ok(Self::new(SqliteStore::open(data_dir).await?))
    }

    /// Opens `database` (creating a SQLite file, applying migrations). An error names the
    /// setting and where, never a password.
    pub async fn connect(database: &Database) -> anyhow::Result<Self> {
        Self::connect_limited(database, &PageLimit::default()).await
    }

    /// [`Store::connect`] with the tests' page limit ([`PageLimit`], SQLite only).
    pub async fn connect_limited(database: &Database, page_limit: &PageLimit) -> anyhow::Result<Self> {
        match database {
            Database::Sqlite(path) => Ok(Self::new(SqliteStore::open_file_limited(path, page_limit.clone()).await?)),
            Database::Postgres { url, password_file } => Ok(Self::new(postgres(url, password_file, false).await?)),
        }
    }

    /// Opens `database` read-only, without applying migrations (for `notarium audit`).
    pub async fn connect_read_only(database: &Database) -> anyhow::Result<Self> {
        match database {
            Database::Sqlite(path) => Ok(Self::new(SqliteStore::open_file_read_only(path).await?)),
            Database::Postgres { url, password_file } => Ok(Self::new(postgres(url, password_file, true).await?)),
        }
    }

    /// The SQLite database at `path`, read-only, as the source of a copy (`notarium admin
    /// migrate`); fails unless every migration of this build has been applied to it.
    pub async fn copy_source(path: &Path) -> anyhow::Result<Box<dyn CopySource>> {
        let store = SqliteStore::open_file_read_only(path).await?;
        store.check_fully_migrated().await.with_context(|| format!("{}", path.display()))?;
        Ok(Box::new(store))
    }

    /// `database`, which must be PostgreSQL, migrated, as the target of a copy.
    pub async fn copy_target(database: &Database) -> anyhow::Result<Box<dyn CopyTarget>> {
        match database {
            Database::Postgres { url, password_file } => Ok(Box::new(postgres(url, password_file, false).await?)),
            Database::Sqlite(_) => anyhow::bail!("the target must be a postgres:// database"),
        }
    }

    /// Every stored fingerprint, record by record, in arrival order: the search index's source.
    pub async fn for_each_image_fingerprints(&self, mut each: impl FnMut(u64, &[Pdq]) + Send) -> anyhow::Result<()> {
        self.0.image_fingerprints(&mut each).await
    }
}

/// Connects to PostgreSQL; the error says `database_url` and the server (the URL without its
/// query), never the password.
async fn postgres(url: &str, password_file: &Option<PathBuf>, read_only: bool) -> anyhow::Result<PgStore> {
    let password = match password_file {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("setting database_password_file: reading {}", file.display()))?;
            Some(text.trim_end_matches(['\r', '\n']).to_owned())
        }
        None => None,
    };
    let server = url.split('?').next().unwrap_or(url);
    PgStore::connect_to(url, password.as_deref(), read_only)
        .await
        .with_context(|| format!("setting database_url: PostgreSQL at {server}"))
}

impl Deref for Store {
    type Target = dyn Storage;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}
