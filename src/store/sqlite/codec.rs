//! Column codecs: ids as 16-byte blobs, hashes as 32-byte blobs (a meta hash of no metadata as
//! an empty one), times as milliseconds, and the one mapping of each domain enum to the word
//! stored for it ([`Word`]): no other place in the storage writes or reads a kind or a role.

use std::sync::LazyLock;

use anyhow::{Context, anyhow};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::domain::canonical;
use crate::domain::{EvidenceId, EvidenceKind, Hash, Role, Salt, TenantId, TenantRole, Timestamp};

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

/// A time that may be absent (NULL); one out of range reads as absent.
pub fn maybe_time(row: &SqliteRow, col: &str) -> anyhow::Result<Option<Timestamp>> {
    let ms: Option<i64> = row.try_get(col).with_context(|| format!("column {col}"))?;
    Ok(ms.and_then(Timestamp::from_unix_millis))
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

/// An enum stored as a word: [`Word::stored`] is the only spelling of each variant in the
/// database, and [`word`] reads it back.
pub trait Word: Copy + 'static {
    /// What the column holds (for errors).
    const WHAT: &'static str;
    /// Every variant.
    const ALL: &'static [Self];
    fn stored(self) -> &'static str;
}

/// The word stored for `value`.
pub fn stored<W: Word>(value: W) -> &'static str {
    value.stored()
}

/// The enum a stored word stands for.
pub fn word<W: Word>(row: &SqliteRow, col: &str) -> anyhow::Result<W> {
    let s: String = row.try_get(col).with_context(|| format!("column {col}"))?;
    W::ALL.iter().copied().find(|w| w.stored() == s).ok_or_else(|| anyhow!("column {col}: unknown {} {s:?}", W::WHAT))
}

impl Word for EvidenceKind {
    const WHAT: &'static str = "evidence kind";
    const ALL: &'static [Self] = &EvidenceKind::ALL;
    fn stored(self) -> &'static str {
        // The stored words are the domain's own (migration 0001 wrote them): this is where
        // they would part.
        self.as_str()
    }
}

impl Word for Role {
    const WHAT: &'static str = "witness role";
    const ALL: &'static [Self] = &[Role::Court, Role::Notary];
    fn stored(self) -> &'static str {
        self.as_str()
    }
}

impl Word for TenantRole {
    const WHAT: &'static str = "tenant role";
    const ALL: &'static [Self] = &TenantRole::ALL;
    fn stored(self) -> &'static str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<W: Word + PartialEq + std::fmt::Debug>() {
        let mut seen = std::collections::BTreeSet::new();
        for w in W::ALL {
            assert!(seen.insert(w.stored()), "{} {:?} is stored like another", W::WHAT, w);
            assert_eq!(W::ALL.iter().find(|v| v.stored() == w.stored()), Some(w));
        }
    }

    #[test]
    fn every_word_is_distinct_and_reads_back() {
        round_trips::<EvidenceKind>();
        round_trips::<Role>();
        round_trips::<TenantRole>();
        // The stored words are the ones migrations 0001 and 0006 wrote.
        assert_eq!(stored(EvidenceKind::ClaimWithdrawal), "claim-withdrawal");
        assert_eq!(stored(TenantRole::Insurer), "insurer");
    }
}
