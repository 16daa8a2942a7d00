//! The PostgreSQL implementation of the storage traits, for several API nodes on one database
//! (DESIGN.md §10): one file per concern, mirroring `sqlite/`, and with it the only place that
//! names `sqlx`.
//!
//! Durability: every connection runs with `synchronous_commit=on`, so a commit returns only
//! once its WAL is flushed (on the primary; with synchronous standbys configured, on them too).
//! Sequence numbers: each evidence writer's transaction locks the coordination row
//! (`log_state`) first, numbers its records from it and moves it on before committing; the
//! row lock orders writers of every process, so numbers are dense and commit in order.
//! Invoice rules: the writer locks the invoice row (`FOR UPDATE`) before deciding on it, and a
//! `CHECK` keeps claims within the reimbursable amount whatever writes the row.

mod codec;
mod copy;
mod evidence;
mod exec;
pub(super) mod faults;
mod invoices;
mod writer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};

use super::credential_cache::CredentialCache;
use super::storage::Storage;
use super::writer::RecordWriter;

/// Connections in the pool unless told otherwise ([`PgStore::connect_with_pool_size`]).
pub const DEFAULT_POOL_SIZE: u32 = 16;

/// How long the first connection at start-up may take (however many attempts).
const CONNECT_WAIT: Duration = Duration::from_secs(10);

/// How long a request waits for a connection of the pool, then answers `503
/// storage_unavailable` (the server may be gone).
const ACQUIRE_WAIT: Duration = Duration::from_secs(3);

/// The pause between two attempts at the first connection.
const RETRY_AFTER: Duration = Duration::from_millis(250);

/// How long [`Storage::commit_probe`] waits.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// A pool of connections to one PostgreSQL database; the evidence writers take theirs from it.
pub struct PgStore {
    pool: PgPool,
    /// Tenants of recently confirmed API keys and client certificates (at most 1 s old).
    credentials: Arc<CredentialCache>,
}

impl PgStore {
    /// Connects with a pool of [`DEFAULT_POOL_SIZE`] and applies the migrations
    /// (`migrations/postgres`; sqlx serialises concurrent migrators with an advisory lock).
    pub async fn connect(options: PgConnectOptions) -> anyhow::Result<Self> {
        Self::connect_with_pool_size(options, DEFAULT_POOL_SIZE).await
    }

    /// [`PgStore::connect`] from a URL (`postgresql://user@host:port/db?...`).
    pub async fn connect_url(url: &str) -> anyhow::Result<Self> {
        Self::connect(PgConnectOptions::from_str(url).context("the PostgreSQL URL")?).await
    }

    /// Connects with a pool of at most `max_connections` and applies the migrations.
    pub async fn connect_with_pool_size(options: PgConnectOptions, max_connections: u32) -> anyhow::Result<Self> {
        let pool = Self::pool_of(options, max_connections).await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await.context("applying migrations")?;
        Ok(Self { pool, credentials: Arc::default() })
    }

    /// Connects to `url` (no password in it: `password`, else libpq's `PGPASSWORD` or
    /// `~/.pgpass`). `read_only`: every transaction read-only, no migrations applied (for
    /// `notarium audit` beside a live server); else [`PgStore::connect`].
    pub async fn connect_to(url: &str, password: Option<&str>, read_only: bool) -> anyhow::Result<Self> {
        let mut options = PgConnectOptions::from_str(url).context("not a valid PostgreSQL URL")?;
        if let Some(password) = password {
            options = options.password(password);
        }
        if !read_only {
            return Self::connect(options).await;
        }
        let options = options.options([("default_transaction_read_only", "on")]);
        Ok(Self { pool: Self::pool_of(options, 2).await?, credentials: Arc::default() })
    }

    async fn pool_of(options: PgConnectOptions, max_connections: u32) -> anyhow::Result<PgPool> {
        let options = options
            // Set on every connection, whatever the server's default: a commit is durable
            // before it returns.
            .options([("synchronous_commit", "on")])
            .disable_statement_logging();
        first_connection(&options).await.context("connecting to PostgreSQL")?;
        PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(ACQUIRE_WAIT)
            .connect_with(options)
            .await
            .context("connecting to PostgreSQL")
    }

    fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// Opens and closes one connection, trying again every quarter second while the server cannot
/// be reached (it may be starting), for [`CONNECT_WAIT`] at most. An error is the last
/// attempt's own (refused, unknown host, authentication), not the pool's timeout, which would
/// hide why.
async fn first_connection(options: &PgConnectOptions) -> Result<(), sqlx::Error> {
    let deadline = tokio::time::Instant::now() + CONNECT_WAIT;
    let mut unreachable = None;
    loop {
        match tokio::time::timeout_at(deadline, options.connect()).await {
            Ok(Ok(connection)) => return connection.close().await,
            Ok(Err(sqlx::Error::Io(e))) if tokio::time::Instant::now() + RETRY_AFTER < deadline => {
                unreachable = Some(e);
                tokio::time::sleep(RETRY_AFTER).await;
            }
            Ok(Err(e)) => return Err(e),
            Err(_elapsed) => {
                let silent = || std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer within 10 s");
                return Err(sqlx::Error::Io(unreachable.unwrap_or_else(silent)));
            }
        }
    }
}

#[async_trait]
impl Storage for PgStore {
    async fn writer(&self) -> anyhow::Result<Box<dyn RecordWriter>> {
        Ok(Box::new(writer::PgWriter::new(self.pool.clone())))
    }

    /// Commits, within half a second, a transaction that was given an id (so that its commit
    /// is written to the WAL) and is not read-only: fails on a standby in recovery, a read-only
    /// session, a server without space for its WAL. Cancelling the probe on timeout is safe (the connection is
    /// dropped, the server ends the backend); it never takes a lock the evidence writer holds,
    /// so a long write group does not make it fail.
    async fn commit_probe(&self) -> anyhow::Result<()> {
        let probe = async {
            let mut tx = self.pool().begin().await?;
            let writable: bool = sqlx::query_scalar(
                "SELECT current_setting('transaction_read_only') = 'off' FROM (SELECT txid_current()) AS assigned",
            )
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            anyhow::ensure!(writable, "the session is read-only");
            Ok(())
        };
        match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
            Ok(committed) => committed.context("committing the readiness probe"),
            Err(_) => anyhow::bail!("the readiness probe did not commit within {PROBE_TIMEOUT:?}"),
        }
    }

    fn pool_use(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
