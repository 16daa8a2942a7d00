//! The conversions of values to bind, shared with SQLite, and the unsigned numbers PostgreSQL
//! binds as `bigint`.

pub(super) use crate::store::columns::{id_bytes, meta_hash_bytes, salt_bytes, stored};

/// A number bound as `bigint` (values past `i64::MAX` are not sequence numbers or heights).
pub(super) fn big(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
