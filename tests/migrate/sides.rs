//! Both databases of a migration read directly (not through the code under test): the source's
//! SQLite file and the target PostgreSQL database.

use std::path::Path;

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{ConnectOptions, FromRow};

use crate::support::postgres::TestDatabase;

pub struct Sides {
    pub sqlite: SqliteConnection,
    pub pg: PgConnection,
}

impl Sides {
    pub async fn open(data: &Path, db: &TestDatabase) -> Self {
        let options = SqliteConnectOptions::new().filename(data.join("notarium.db")).read_only(true);
        Self { sqlite: options.connect().await.expect("the source database"), pg: db.connection().await }
    }

    /// Every table of the source (SQLite's catalogue, not the migration's own list), with its
    /// rows on each side: (table, source, target).
    pub async fn counts(&mut self) -> Vec<(String, i64, i64)> {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '_sqlx%' ORDER BY name",
        )
        .fetch_all(&mut self.sqlite)
        .await
        .unwrap();
        let mut counts = Vec::new();
        for table in tables {
            let sql = format!("SELECT count(*) FROM {table}");
            let source: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).fetch_one(&mut self.sqlite).await.unwrap();
            let target: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut self.pg).await.unwrap();
            counts.push((table, source, target));
        }
        counts
    }

    /// Asserts that every table has as many rows on both sides; the counts.
    pub async fn assert_same_counts(&mut self) -> Vec<(String, i64, i64)> {
        let counts = self.counts().await;
        let differ: Vec<_> = counts.iter().filter(|(_, s, t)| s != t).collect();
        assert!(differ.is_empty(), "rows differ (table, source, target): {differ:?}");
        counts
    }

    /// The rows `sql` selects on each side, asserted equal; they are returned.
    pub async fn same<T>(&mut self, sql: &'static str) -> Vec<T>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + PartialEq + std::fmt::Debug + Send + Unpin,
    {
        let source: Vec<T> = sqlx::query_as(sql).fetch_all(&mut self.sqlite).await.unwrap();
        let target: Vec<T> = sqlx::query_as(sql).fetch_all(&mut self.pg).await.unwrap();
        assert!(source == target, "{sql}: the rows differ\nsource: {source:?}\ntarget: {target:?}");
        source
    }

    /// Rows of `table` in the target.
    pub async fn target_rows(&mut self, table: &str) -> i64 {
        let sql = format!("SELECT count(*) FROM {table}");
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut self.pg).await.unwrap()
    }

    /// Whether every evidence row (each column) is the same on both sides; every record made
    /// through the API (leaf v2) carries its 32-byte `meta_salt` across.
    pub async fn assert_same_evidence(&mut self) -> usize {
        type Evidence =
            (i64, Vec<u8>, Vec<u8>, String, Vec<u8>, Vec<u8>, Vec<u8>, Option<String>, i64, Vec<u8>, Option<Vec<u8>>);
        let rows: Vec<Evidence> = self
            .same(
                "SELECT seq, id, tenant_id, kind, content_hash, salt, meta_hash, metadata, received_ms, leaf_hash, \
                 meta_salt FROM evidence ORDER BY seq",
            )
            .await;
        assert!(rows.iter().all(|r| r.10.as_ref().is_some_and(|s| s.len() == 32)), "every meta_salt carried");
        rows.len()
    }
}
