//! Reading columns of PostgreSQL rows into domain values, with [`crate::store::columns`]'s
//! conversions (shared with SQLite), and the unsigned numbers PostgreSQL stores as `bigint`.

use anyhow::Context;
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::domain::{EvidenceId, Hash, Salt, TenantId, Timestamp};
use crate::store::columns::{self, Word};
pub(super) use crate::store::columns::{id_bytes, meta_hash_bytes, salt_bytes, stored};

pub(super) fn get<T>(row: &PgRow, col: &str) -> anyhow::Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(col).with_context(|| format!("column {col}"))
}

/// A `bigint` column holding a sequence number, height, count or amount (never negative).
pub(super) fn uint(row: &PgRow, col: &str) -> anyhow::Result<u64> {
    let v: i64 = get(row, col)?;
    u64::try_from(v).with_context(|| format!("column {col}: negative"))
}

pub(super) fn maybe_uint(row: &PgRow, col: &str) -> anyhow::Result<Option<u64>> {
    let v: Option<i64> = get(row, col)?;
    v.map(|v| u64::try_from(v).with_context(|| format!("column {col}: negative"))).transpose()
}

/// A number bound as `bigint` (values past `i64::MAX` are not sequence numbers or heights).
pub(super) fn big(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Numbers bound as a `bigint[]`.
pub(super) fn bigs(v: &[u64]) -> Vec<i64> {
    v.iter().map(|&v| big(v)).collect()
}

pub(super) fn bytes32(row: &PgRow, col: &str) -> anyhow::Result<[u8; 32]> {
    columns::bytes32(col, get(row, col)?)
}

pub(super) fn hash(row: &PgRow, col: &str) -> anyhow::Result<Hash> {
    columns::hash(col, get(row, col)?)
}

pub(super) fn meta_hash(row: &PgRow, col: &str) -> anyhow::Result<Hash> {
    columns::meta_hash(col, get(row, col)?)
}

/// A salt, or `None` where erasure left no bytes.
pub(super) fn salt_unless_erased(row: &PgRow, col: &str) -> anyhow::Result<Option<Salt>> {
    columns::salt_unless_erased(col, get(row, col)?)
}

pub(super) fn evidence_id(row: &PgRow, col: &str) -> anyhow::Result<EvidenceId> {
    columns::evidence_id(col, get(row, col)?)
}

pub(super) fn tenant_id(row: &PgRow, col: &str) -> anyhow::Result<TenantId> {
    columns::tenant_id(col, get(row, col)?)
}

/// A time that may be absent (NULL); one out of range reads as absent.
pub(super) fn maybe_time(row: &PgRow, col: &str) -> anyhow::Result<Option<Timestamp>> {
    let ms: Option<i64> = get(row, col)?;
    Ok(ms.and_then(Timestamp::from_unix_millis))
}

pub(super) fn time(row: &PgRow, col: &str) -> anyhow::Result<Timestamp> {
    columns::time(col, get(row, col)?)
}

pub(super) fn text<T: std::str::FromStr>(row: &PgRow, col: &str) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    columns::parsed(col, get(row, col)?)
}

/// The enum a stored word stands for.
pub(super) fn word<W: Word>(row: &PgRow, col: &str) -> anyhow::Result<W> {
    columns::word(col, get(row, col)?)
}
