//! The SQLite implementation of the storage traits: one file per concern, and the single place
//! that names `sqlx`.
//!
//! WAL mode with `synchronous=FULL`: a commit is on disk before it returns. Reads and short
//! writes go through a pool; each evidence writer holds a connection of its own.

mod codec;
mod copy;
mod evidence;
mod exec;
pub(super) mod faults;
mod invoices;
mod page_limit;
pub mod snapshot;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};

use super::credential_cache::CredentialCache;
use super::storage::Storage;
use super::writer::RecordWriter;

pub use page_limit::PageLimit;

/// The database file inside the data directory.
pub const DB_FILE: &str = "notarium.db";

/// A pool for reads and short writes, and what each evidence writer connects with.
pub struct SqliteStore {
    pool: SqlitePool,
    options: SqliteConnectOptions,
    /// Tenants of recently confirmed API keys and client certificates (at most 1 s old).
    credentials: Arc<CredentialCache>,
    /// The tests' full database (never set in production).
    page_limit: PageLimit,
}

impl SqliteStore {
    /// Opens (creating if needed) the database under `data_dir` and applies migrations.
    pub async fn open(data_dir: &Path) -> anyhow::Result<Self> {
        Self::open_file(&data_dir.join(DB_FILE)).await
    }

    /// Opens (creating it and its folder if needed) the database file at `path` and applies
    /// migrations.
    pub async fn open_file(path: &Path) -> anyhow::Result<Self> {
        Self::open_file_limited(path, PageLimit::default()).await
    }

    /// [`SqliteStore::open_file`] with the tests' page limit on the evidence writer and the
    /// readiness probe.
    pub async fn open_file_limited(path: &Path, page_limit: PageLimit) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .context("database path")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Erased invoice bodies and salts are overwritten, not left in free pages.
            .pragma("secure_delete", "ON")
            .disable_statement_logging();
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A ping before every use is one more round trip to the connection's SQLite thread
            // per query; a connection to a local file does not go stale.
            .test_before_acquire(false)
            // A connection whose COMMIT failed on a full disk is still counted inside a
            // transaction SQLite already rolled back: it is closed, not reused.
            .after_release(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(options.clone())
            .await
            .with_context(|| format!("opening {}", path.display()))?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await.context("applying migrations")?;
        Ok(Self { pool, options, credentials: Arc::default(), page_limit })
    }

    /// Opens an existing database read-only, without applying migrations: for `notarium audit`,
    /// which runs beside a live server (WAL readers never block its writer) and must change
    /// nothing. Fails when there is no database file at `path`.
    pub async fn open_file_read_only(path: &Path) -> anyhow::Result<Self> {
        if !path.is_file() {
            anyhow::bail!("no database at {}", path.display());
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .busy_timeout(Duration::from_secs(10))
            .disable_statement_logging();
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options.clone())
            .await
            .with_context(|| format!("opening {} read-only", path.display()))?;
        Ok(Self { pool, options, credentials: Arc::default(), page_limit: PageLimit::default() })
    }

    /// A dedicated connection for an evidence writer (and for the storage ceiling benchmark).
    pub async fn writer_connection(&self) -> anyhow::Result<SqliteConnection> {
        SqliteConnection::connect_with(&self.options).await.context("opening the writer connection")
    }

    fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl Storage for SqliteStore {
    async fn writer(&self) -> anyhow::Result<Box<dyn RecordWriter>> {
        Ok(Box::new(writer::SqliteWriter::open(self.options.clone(), self.page_limit.clone()).await?))
    }

    /// Commits a write that needs space, on a connection of its own with a short busy timeout
    /// (never a pooled one, and never a cancelled future: SQLite would go on waiting and could
    /// open the transaction later): an IMMEDIATE transaction creates a scratch table, puts
    /// 64 KiB in it and drops it again, so the commit allocates pages and writes them to the
    /// WAL, as a record would, and leaves the schema as it was.
    async fn commit_probe(&self) -> anyhow::Result<()> {
        let options = self.options.clone().busy_timeout(Duration::from_millis(500));
        let mut conn = SqliteConnection::connect_with(&options).await.context("opening the probe's connection")?;
        let probed = async {
            self.page_limit.apply(&mut conn).await?;
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
            sqlx::raw_sql(
                "CREATE TABLE readiness_probe (filler BLOB); \
                 INSERT INTO readiness_probe VALUES (zeroblob(65536)); DROP TABLE readiness_probe",
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }
        .await;
        let _ = conn.close().await;
        probed.context("committing the readiness probe")
    }

    fn pool_use(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
