//! Column codecs: ids as 16-byte blobs, hashes as 32-byte blobs (a meta hash of no metadata as
//! an empty one), times as milliseconds.

use std::sync::LazyLock;

use anyhow::{Context, anyhow};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::domain::canonical;
use crate::domain::{EvidenceId, Hash, Salt, TenantId, Timestamp};

pub fn bytes32(row: &SqliteRow, col: &str) -> anyhow::Result<[u8; 32]> {
    let v: Vec<u8> = row.try_get(col).with_context(|| format!("column {col}"))?;
    v.try_into().map_err(|v: Vec<u8>| anyhow!("column {col}: {} bytes, expected 32", v.len()))
}

pub fn hash(row: &SqliteRow, col: &str) -> anyhow::Result<Hash> {
    bytes32(row, col).map(Hash)
}

/// The meta hash of a record without metadata, stored as an empty blob: 32 bytes less for
/// every hash-only record (issue 5: bytes per record).
static NO_METADATA: LazyLock<Hash> = LazyLock::new(|| canonical::meta_hash(None));

/// A meta hash as stored: empty for a record without metadata, else its 32 bytes.
pub fn meta_hash_bytes(meta: &Hash) -> Vec<u8> {
    if *meta == *NO_METADATA { Vec::new() } else { meta.as_bytes().to_vec() }
}

/// A meta hash as [`meta_hash_bytes`] stored it (rows written before store all 32 bytes).
pub fn meta_hash(row: &SqliteRow, col: &str) -> anyhow::Result<Hash> {
    let v: Vec<u8> = row.try_get(col).with_context(|| format!("column {col}"))?;
    if v.is_empty() {
        return Ok(*NO_METADATA);
    }
    v.try_into().map(Hash).map_err(|v: Vec<u8>| anyhow!("column {col}: {} bytes, expected 32", v.len()))
}

/// A salt, or `None` where erasure left an empty blob.
pub fn salt_unless_erased(row: &SqliteRow, col: &str) -> anyhow::Result<Option<Salt>> {
    let v: Vec<u8> = row.try_get(col).with_context(|| format!("column {col}"))?;
    if v.is_empty() {
        return Ok(None);
    }
    v.try_into().map(|b| Some(Salt(b))).map_err(|v: Vec<u8>| anyhow!("column {col}: {} bytes, expected 32", v.len()))
}

fn uuid(row: &SqliteRow, col: &str) -> anyhow::Result<Uuid> {
    let v: Vec<u8> = row.try_get(col).with_context(|| format!("column {col}"))?;
    Uuid::from_slice(&v).with_context(|| format!("column {col}"))
}

pub fn evidence_id(row: &SqliteRow, col: &str) -> anyhow::Result<EvidenceId> {
    uuid(row, col)?.to_string().parse().with_context(|| format!("column {col}"))
}

pub fn tenant_id(row: &SqliteRow, col: &str) -> anyhow::Result<TenantId> {
    uuid(row, col)?.to_string().parse().with_context(|| format!("column {col}"))
}

pub fn time(row: &SqliteRow, col: &str) -> anyhow::Result<Timestamp> {
    let ms: i64 = row.try_get(col).with_context(|| format!("column {col}"))?;
    Timestamp::from_unix_millis(ms).ok_or_else(|| anyhow!("column {col}: time out of range"))
}

pub fn text<T: std::str::FromStr>(row: &SqliteRow, col: &str) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    let s: String = row.try_get(col).with_context(|| format!("column {col}"))?;
    s.parse().map_err(|e: T::Err| anyhow!("column {col}: {e}"))
}

pub fn id_bytes(id: &impl AsUuid) -> Vec<u8> {
    id.uuid().as_bytes().to_vec()
}

/// Ids stored as their 16 UUID bytes.
pub trait AsUuid {
    fn uuid(&self) -> &Uuid;
}

impl AsUuid for EvidenceId {
    fn uuid(&self) -> &Uuid {
        self.as_uuid()
    }
}

impl AsUuid for TenantId {
    fn uuid(&self) -> &Uuid {
        self.as_uuid()
    }
}
