//! The SQLite database as the source of a copy ([`CopySource`], `notarium admin migrate`):
//! every table read in key order a page at a time, each column as the neutral value it holds.
//! Keys compare as SQLite's BINARY collation does (bytes and texts byte by byte), which is how
//! the PostgreSQL target orders them too.

use anyhow::{Context, bail};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::SqliteStore;
use crate::store::copy::{Dialect, Kind, Row as Values, Table, Value};
use crate::store::sql::CopyDialect;

/// Positional `?` parameters, `rowid` where PostgreSQL has an identity column, and BINARY
/// (byte by byte) comparison of texts already.
const SQLITE: Dialect = Dialect { mark: |_| "?".into(), column: |c| c.source, bytewise: "" };

impl SqliteStore {
    /// Fails unless every migration this build knows has been applied to the database (opened
    /// read-only, it is not migrated here): the copy reads the tables as they stand after the
    /// last one.
    pub async fn check_fully_migrated(&self) -> anyhow::Result<()> {
        let latest = sqlx::migrate!("migrations/sqlite").iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(self.pool())
            .await
            .context("reading the database's migrations")?;
        match applied {
            Some(v) if v == latest => Ok(()),
            Some(v) => bail!(
                "the database is at migration {v}, this notarium expects {latest}: start `notarium serve` on it once \
                 (it migrates), stop it, and migrate again"
            ),
            None => bail!("the database has no migration applied"),
        }
    }
}

impl CopyDialect for SqliteStore {
    const COPY: Dialect = SQLITE;

    /// A flag other than 0 or 1 is refused, not guessed at.
    fn values(table: &Table, row: &SqliteRow) -> anyhow::Result<Values> {
        let value = |i: usize, kind: Kind| -> anyhow::Result<Value> {
            Ok(match kind {
                Kind::Int | Kind::SmallInt => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Int),
                Kind::Text => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text),
                Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Value::Null, Value::Bytes),
                Kind::Bool => match row.try_get::<Option<i64>, _>(i)? {
                    None => Value::Null,
                    Some(0) => Value::Bool(false),
                    Some(1) => Value::Bool(true),
                    Some(other) => bail!("a flag of {other}, not 0 or 1"),
                },
            })
        };
        let columns = table.columns.iter().enumerate();
        columns.map(|(i, c)| value(i, c.kind).with_context(|| format!("{}.{}", table.name, c.name))).collect()
    }
}
