//! The database the service under test keeps its records in, chosen once per test binary:
//! PostgreSQL in `tests/api_postgres` (the HTTP stories again), SQLite (the file in the data
//! directory, the default) in every other binary.
//!
//! Everything that starts the service or a `notarium` command on a data directory asks
//! [`database_url`] for that directory: on PostgreSQL the first ask makes a fresh database
//! (`super::postgres::fresh_database`), and every later ask — a restart, `notarium admin`
//! before `serve`, a look at the tables — gets the same one. When PostgreSQL is not installed,
//! the PostgreSQL binary skips all its stories: a message, then the process ends with success
//! (a failure in CI, where [`super::programs::cannot_run`] panics first).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use notarium::store::{Database, Store};
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, Row};

use super::postgres::fresh_database;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// This binary's backend: PostgreSQL for the test target `api_postgres`, SQLite otherwise.
pub const BACKEND: Backend =
    if matches!(env!("CARGO_CRATE_NAME").as_bytes(), b"api_postgres") { Backend::Postgres } else { Backend::Sqlite };

/// The `database_url` of the service on `data`: `None` on SQLite (the file in `data`), else a
/// PostgreSQL database of its own, the same for every ask about `data`.
pub fn database_url(data: &Path) -> Option<String> {
    if BACKEND == Backend::Sqlite {
        return None;
    }
    static URLS: Mutex<BTreeMap<PathBuf, String>> = Mutex::new(BTreeMap::new());
    let mut urls = URLS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(url) = urls.get(data) {
        return Some(url.clone());
    }
    // Asked from synchronous helpers too (`notarium admin` before `serve`): the database is
    // made on a thread of its own with its own runtime.
    let made = std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(fresh_database())
        })
        .join()
    });
    let Some(database) = made.unwrap_or_else(|panic| std::panic::resume_unwind(panic)) else {
        // Test output is captured and this process ends now: straight to stderr.
        let _ = writeln!(std::io::stderr(), "SKIPPED: every story of this binary (PostgreSQL is not installed)");
        std::process::exit(0)
    };
    urls.insert(data.to_owned(), database.url.clone());
    Some(database.url)
}

/// The environment that points a `notarium` command at the database of `data`.
pub fn database_env(data: &Path) -> Vec<(&'static str, String)> {
    database_url(data).map(|url| ("NOTARIUM_DATABASE_URL", url)).into_iter().collect()
}

/// The database of the service on `data`, as its settings name it.
pub fn database_of(data: &Path) -> Database {
    notarium::config::database(database_url(data).as_deref(), None, data).unwrap()
}

/// The storage of the service on `data`, opened as the service opens it (`Store::connect`).
pub async fn store_of(data: &Path) -> Store {
    Store::connect(&database_of(data)).await.expect("opening the service's database")
}

/// A plain connection to the database of the service on `data`, to look at or change its
/// tables as an operator could. Statements take `$1`, `$2`, ... (the same text on both).
pub enum Db {
    Sqlite(SqliteConnection),
    Postgres { connection: PgConnection, url: String },
}

/// A statement's parameter.
#[derive(Clone, Copy)]
pub enum Param<'a> {
    Int(i64),
    Bytes(&'a [u8]),
}

/// `sqlx::query(sql)` with `params` bound, for either connection.
macro_rules! bound {
    ($sql:expr, $params:expr) => {{
        let mut query = sqlx::query(sqlx::AssertSqlSafe($sql.to_owned()));
        for param in $params {
            query = match *param {
                Param::Int(i) => query.bind(i),
                Param::Bytes(b) => query.bind(b),
            };
        }
        query
    }};
}

impl Db {
    pub async fn of(data: &Path) -> Self {
        match database_url(data) {
            None => {
                let url = format!("sqlite://{}", data.join(notarium::store::DB_FILE).display());
                Self::Sqlite(SqliteConnection::connect(&url).await.expect("opening the SQLite file"))
            }
            Some(url) => {
                let connection = PgConnection::connect(&url).await.expect("connecting to the test database");
                Self::Postgres { connection, url }
            }
        }
    }

    /// Runs `sql` with `params`: how many rows it changed.
    pub async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> u64 {
        let done = match self {
            Self::Sqlite(c) => bound!(sql, params).execute(c).await.map(|r| r.rows_affected()),
            Self::Postgres { connection, .. } => {
                bound!(sql, params).execute(connection).await.map(|r| r.rows_affected())
            }
        };
        done.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The first column of the one row of `sql`, a `BLOB`/`bytea`.
    pub async fn bytes(&mut self, sql: &str, params: &[Param<'_>]) -> Vec<u8> {
        let row = match self {
            Self::Sqlite(c) => bound!(sql, params).fetch_one(c).await.map(|row| row.get(0)),
            Self::Postgres { connection, .. } => bound!(sql, params).fetch_one(connection).await.map(|row| row.get(0)),
        };
        row.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The first column of every row of `sql`, a `BIGINT` (`CAST(... AS BIGINT)`).
    pub async fn integers(&mut self, sql: &str) -> Vec<i64> {
        let rows = match self {
            Self::Sqlite(c) => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(c).await,
            Self::Postgres { connection, .. } => {
                sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(connection).await
            }
        };
        rows.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Rolls the operator's blocks back to below `height` (as a restore of an old backup
    /// would): that block, its successors, their tiles and co-signatures disappear, while the
    /// records stay, so the sealer seals another block at a height the witnesses signed.
    pub async fn roll_back_blocks(&mut self, height: u64) {
        for sql in [
            "DELETE FROM cosignatures WHERE height >= $1",
            "DELETE FROM block_tiles WHERE height >= $1",
            "DELETE FROM blocks WHERE height >= $1",
        ] {
            self.execute(sql, &[Param::Int(height as i64)]).await;
        }
    }

    /// Makes the database refuse writes from the service until [`Db::allow_writes`]: on
    /// SQLite this connection holds the write lock (`BEGIN IMMEDIATE`); on PostgreSQL the
    /// database becomes read-only for new sessions and the service's sessions are ended (its
    /// pool reconnects into read-only sessions).
    pub async fn refuse_writes(&mut self) {
        match self {
            Self::Sqlite(_) => {
                self.execute("BEGIN IMMEDIATE", &[]).await;
            }
            Self::Postgres { .. } => self.set_read_only("on").await,
        }
    }

    /// Ends [`Db::refuse_writes`].
    pub async fn allow_writes(&mut self) {
        match self {
            Self::Sqlite(_) => {
                self.execute("ROLLBACK", &[]).await;
            }
            Self::Postgres { .. } => self.set_read_only("off").await,
        }
    }

    async fn set_read_only(&mut self, on: &str) {
        let Self::Postgres { connection, url } = self else { unreachable!("PostgreSQL only") };
        let name = url.rsplit('/').next().expect("a database name");
        let alter = format!("ALTER DATABASE {name} SET default_transaction_read_only = {on}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(alter)).execute(&mut *connection).await.expect("ALTER DATABASE");
        // Each session has ended when this returns (it waits up to 5 s), so that no later probe
        // finds one of the old sessions still open.
        let end = "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
                   WHERE datname = $1 AND pid <> pg_backend_pid()";
        sqlx::query(end).bind(name).execute(&mut *connection).await.expect("ending the service's sessions");
    }
}
