//! The conversions of values to bind, shared with PostgreSQL.

pub(super) use crate::store::columns::{id_bytes, meta_hash_bytes, salt_bytes, stored};
