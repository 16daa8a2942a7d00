//! Reading columns of SQLite rows into domain values, with [`crate::store::columns`]'s
//! conversions (shared with PostgreSQL).

use anyhow::Context;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::domain::{EvidenceId, Hash, Salt, TenantId, Timestamp};
use crate::store::columns::{self, Word};
pub(super) use crate::store::columns::{id_bytes, meta_hash_bytes, salt_bytes, stored};

fn get<T>(row: &SqliteRow, col: &str) -> anyhow::Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(col).with_context(|| format!("column {col}"))
}

pub fn bytes32(row: &SqliteRow, col: &str) -> anyhow::Result<[u8; 32]> {
    columns::bytes32(col, get(row, col)?)
}

pub fn hash(row: &SqliteRow, col: &str) -> anyhow::Result<Hash> {
    columns::hash(col, get(row, col)?)
}

pub fn meta_hash(row: &SqliteRow, col: &str) -> anyhow::Result<Hash> {
    columns::meta_hash(col, get(row, col)?)
}

/// A salt, or `None` where erasure left an empty blob.
pub fn salt_unless_erased(row: &SqliteRow, col: &str) -> anyhow::Result<Option<Salt>> {
    columns::salt_unless_erased(col, get(row, col)?)
}

pub fn evidence_id(row: &SqliteRow, col: &str) -> anyhow::Result<EvidenceId> {
    columns::evidence_id(col, get(row, col)?)
}

pub fn tenant_id(row: &SqliteRow, col: &str) -> anyhow::Result<TenantId> {
    columns::tenant_id(col, get(row, col)?)
}

/// A time that may be absent (NULL); one out of range reads as absent.
pub fn maybe_time(row: &SqliteRow, col: &str) -> anyhow::Result<Option<Timestamp>> {
    let ms: Option<i64> = get(row, col)?;
    Ok(ms.and_then(Timestamp::from_unix_millis))
}

pub fn time(row: &SqliteRow, col: &str) -> anyhow::Result<Timestamp> {
    columns::time(col, get(row, col)?)
}

pub fn text<T: std::str::FromStr>(row: &SqliteRow, col: &str) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    columns::parsed(col, get(row, col)?)
}

/// The enum a stored word stands for.
pub fn word<W: Word>(row: &SqliteRow, col: &str) -> anyhow::Result<W> {
    columns::word(col, get(row, col)?)
}
