//! The storage's behaviour through its traits, the same test bodies on both backends: each
//! test named in [`on_both_backends!`] runs as `<name>::sqlite` (a temporary directory) and
//! `<name>::postgres` (a fresh database on the binary's throw-away cluster,
//! `support::postgres`; skipped when PostgreSQL is not installed, a failure in CI).

mod accounts;
mod blocks;
mod halt;
mod invoices;
mod meta_salt;
mod records;
#[path = "../support/mod.rs"]
mod support;

use notarium::domain::EvidenceId;
use notarium::store::Store;
use notarium::store::postgres::PgStore;
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;
use support::postgres::{TestDatabase, fresh_database};

/// Runs each named `async fn(Backend)` of the calling module on SQLite and on PostgreSQL.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test]
            async fn sqlite() {
                super::$test(crate::Backend::sqlite()).await
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(backend) = crate::Backend::postgres().await {
                    super::$test(backend).await
                }
            }
        }
    )*};
}
pub(crate) use on_both_backends;

/// One database, on which a test opens as many independent stores (pools, writers) as it
/// wants: two of them stand for two processes, or two API nodes.
pub enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres(Box<TestDatabase>),
}

impl Backend {
    fn sqlite() -> Self {
        Self::Sqlite(tempfile::tempdir().expect("a temporary directory"))
    }

    async fn postgres() -> Option<Self> {
        fresh_database().await.map(|db| Self::Postgres(Box::new(db)))
    }

    /// A new store on this backend's database, with connections of its own.
    pub async fn open(&self) -> Store {
        match self {
            Self::Sqlite(dir) => Store::open(dir.path()).await.expect("opening SQLite"),
            Self::Postgres(db) => Store::new(db.store().await),
        }
    }

    /// A PostgreSQL store, for tests of what only PostgreSQL has.
    pub async fn pg_store(&self) -> Option<PgStore> {
        match self {
            Self::Sqlite(_) => None,
            Self::Postgres(db) => Some(db.store().await),
        }
    }

    /// Copies the record at `from` to sequence number `to` under a new id, as if the log had
    /// grown that far; the writers number on after it.
    pub async fn copy_record(&self, from: u64, to: u64) {
        let id = EvidenceId::generate().as_uuid().as_bytes().to_vec();
        let columns = "tenant_id, kind, content_hash, salt, meta_hash, metadata, received_ms, leaf_hash, meta_salt";
        match self {
            Self::Sqlite(dir) => {
                let mut conn =
                    SqliteConnection::connect(&format!("sqlite://{}/notarium.db", dir.path().display())).await.unwrap();
                let sql = format!(
                    "INSERT INTO evidence (seq, id, {columns}) SELECT ?1, ?2, {columns} FROM evidence WHERE seq = ?3"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(to as i64)
                    .bind(id)
                    .bind(from as i64)
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            Self::Postgres(db) => {
                let mut conn = db.connection().await;
                let mut tx = conn.begin().await.unwrap();
                let sql = format!(
                    "INSERT INTO evidence (seq, id, {columns}) SELECT $1, $2, {columns} FROM evidence WHERE seq = $3"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(to as i64)
                    .bind(id)
                    .bind(from as i64)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                sqlx::query("UPDATE log_state SET next_seq = $1").bind(to as i64 + 1).execute(&mut *tx).await.unwrap();
                tx.commit().await.unwrap();
            }
        }
    }

    /// Turns the record at `seq` into one registered before leaf v2: no `meta_salt`, and the
    /// (v1) `meta_hash` and `leaf_hash` given.
    pub async fn as_registered_before_v2(&self, seq: u64, meta_hash: &[u8], leaf_hash: &[u8]) {
        let sql = "UPDATE evidence SET meta_salt = NULL, meta_hash = $1, leaf_hash = $2 WHERE seq = $3";
        let (meta_hash, leaf_hash, seq) = (meta_hash.to_vec(), leaf_hash.to_vec(), seq as i64);
        let rows = match self {
            Self::Sqlite(dir) => {
                let mut conn =
                    SqliteConnection::connect(&format!("sqlite://{}/notarium.db", dir.path().display())).await.unwrap();
                let query = sqlx::query(sql).bind(meta_hash).bind(leaf_hash).bind(seq);
                query.execute(&mut conn).await.unwrap().rows_affected()
            }
            Self::Postgres(db) => {
                let query = sqlx::query(sql).bind(meta_hash).bind(leaf_hash).bind(seq);
                query.execute(&mut db.connection().await).await.unwrap().rows_affected()
            }
        };
        assert_eq!(rows, 1);
    }

    /// How many rows of the invoice and evidence tables still hold `text` (in an invoice body or
    /// metadata) or `salt`, read from the tables themselves rather than through the store.
    pub async fn rows_holding(&self, text: &str, salt: &[u8]) -> i64 {
        match self {
            Self::Sqlite(dir) => {
                let mut conn =
                    SqliteConnection::connect(&format!("sqlite://{}/notarium.db", dir.path().display())).await.unwrap();
                sqlx::query_scalar(
                    "SELECT (SELECT count(*) FROM invoices WHERE instr(coalesce(body, ''), ?1) > 0) \
                          + (SELECT count(*) FROM evidence WHERE salt = ?2 OR instr(coalesce(metadata, ''), ?1) > 0)",
                )
                .bind(text)
                .bind(salt)
                .fetch_one(&mut conn)
                .await
                .unwrap()
            }
            Self::Postgres(db) => {
                // Every column of every row, as PostgreSQL prints the row (bytea in hex).
                let mut conn = db.connection().await;
                sqlx::query_scalar(
                    "SELECT (SELECT count(*) FROM invoices i WHERE strpos(i::text, $1) > 0 OR strpos(i::text, $2) > 0) \
                          + (SELECT count(*) FROM evidence e WHERE strpos(e::text, $1) > 0 OR strpos(e::text, $2) > 0)",
                )
                .bind(text)
                .bind(hex::encode(salt))
                .fetch_one(&mut conn)
                .await
                .unwrap()
            }
        }
    }
}
