//! How domain values are stored, the same for every backend: ids as their 16 UUID bytes,
//! hashes as 32 bytes (a meta hash of no metadata as none), times as milliseconds, fingerprints
//! as 32 little-endian bytes each, and the one mapping of each domain enum to the word stored for
//! it ([`Word`]). Each backend's codec reads a column's raw value and hands it to these.

use std::sync::LazyLock;

use anyhow::{Context, anyhow};
use uuid::Uuid;

use crate::domain::canonical;
use crate::domain::{EvidenceId, EvidenceKind, Hash, Role, Salt, TenantId, TenantRole, Timestamp};
use crate::fingerprint::pdq::Pdq;

pub(crate) fn bytes32(col: &str, v: Vec<u8>) -> anyhow::Result<[u8; 32]> {
    v.try_into().map_err(|v: Vec<u8>| anyhow!("column {col}: {} bytes, expected 32", v.len()))
}

pub(crate) fn hash(col: &str, v: Vec<u8>) -> anyhow::Result<Hash> {
    bytes32(col, v).map(Hash)
}

/// The meta hash of a record without metadata, stored as no bytes: 32 bytes less for every
/// hash-only record (issue 5: bytes per record).
static NO_METADATA: LazyLock<Hash> = LazyLock::new(|| canonical::meta_hash(None));

/// A meta hash as stored: empty for a record without metadata, else its 32 bytes.
pub(crate) fn meta_hash_bytes(meta: &Hash) -> Vec<u8> {
    if *meta == *NO_METADATA { Vec::new() } else { meta.as_bytes().to_vec() }
}

/// A meta hash as [`meta_hash_bytes`] stored it (rows written before store all 32 bytes).
pub(crate) fn meta_hash(col: &str, v: Vec<u8>) -> anyhow::Result<Hash> {
    if v.is_empty() { Ok(*NO_METADATA) } else { hash(col, v) }
}

/// A salt as stored: empty once erased.
pub(crate) fn salt_bytes(salt: Option<Salt>) -> Vec<u8> {
    salt.map_or(Vec::new(), |s| s.as_bytes().to_vec())
}

/// A salt, or `None` where erasure left no bytes.
pub(crate) fn salt_unless_erased(col: &str, v: Vec<u8>) -> anyhow::Result<Option<Salt>> {
    if v.is_empty() { Ok(None) } else { bytes32(col, v).map(|b| Some(Salt(b))) }
}

/// Only erasure empties a salt, and only an invoice's content is erased: anywhere else an empty
/// salt would switch off the audit's leaf rebuild, so a row with one does not decode.
pub(crate) fn check_erased_salt(kind: EvidenceKind, salt: Option<Salt>) -> anyhow::Result<Option<Salt>> {
    if salt.is_none() && kind != EvidenceKind::Invoice {
        anyhow::bail!("an empty salt on a {kind} record: only an erased invoice's salt is empty");
    }
    Ok(salt)
}

fn uuid(col: &str, v: &[u8]) -> anyhow::Result<Uuid> {
    Uuid::from_slice(v).with_context(|| format!("column {col}"))
}

pub(crate) fn evidence_id(col: &str, v: Vec<u8>) -> anyhow::Result<EvidenceId> {
    uuid(col, &v)?.to_string().parse().with_context(|| format!("column {col}"))
}

pub(crate) fn tenant_id(col: &str, v: Vec<u8>) -> anyhow::Result<TenantId> {
    uuid(col, &v)?.to_string().parse().with_context(|| format!("column {col}"))
}

pub(crate) fn time(col: &str, ms: i64) -> anyhow::Result<Timestamp> {
    Timestamp::from_unix_millis(ms).ok_or_else(|| anyhow!("column {col}: time out of range"))
}

pub(crate) fn parsed<T: std::str::FromStr>(col: &str, s: String) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e: T::Err| anyhow!("column {col}: {e}"))
}

pub(crate) fn id_bytes(id: &impl AsUuid) -> Vec<u8> {
    id.uuid().as_bytes().to_vec()
}

/// Ids stored as their 16 UUID bytes.
pub(crate) trait AsUuid {
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

/// Fingerprints as stored: 32 bytes each, their words little-endian.
pub(crate) fn fingerprint_bytes(fingerprints: &[Pdq]) -> Vec<u8> {
    fingerprints.iter().flat_map(|p| p.0.iter().flat_map(|w| w.to_le_bytes())).collect()
}

/// Reads [`fingerprint_bytes`] back into `out`.
pub(crate) fn fingerprints_into(blob: &[u8], out: &mut Vec<Pdq>) -> anyhow::Result<()> {
    if !blob.len().is_multiple_of(32) {
        return Err(anyhow!("{} bytes, not a multiple of 32", blob.len()));
    }
    out.clear();
    out.extend(
        blob.chunks_exact(32).map(|c| {
            Pdq(std::array::from_fn(|w| u64::from_le_bytes(c[w * 8..w * 8 + 8].try_into().expect("8 bytes"))))
        }),
    );
    Ok(())
}

/// An enum stored as a word: [`Word::stored`] is the only spelling of each variant in the
/// database, and [`word`] reads it back.
pub(crate) trait Word: Copy + 'static {
    /// What the column holds (for errors).
    const WHAT: &'static str;
    /// Every variant.
    const ALL: &'static [Self];
    fn stored(self) -> &'static str;
}

/// The word stored for `value`.
pub(crate) fn stored<W: Word>(value: W) -> &'static str {
    value.stored()
}

/// The enum a stored word stands for.
pub(crate) fn word<W: Word>(col: &str, s: String) -> anyhow::Result<W> {
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
            assert_eq!(word::<W>("c", w.stored().to_owned()).ok().as_ref(), Some(w));
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
        assert!(word::<Role>("c", "judge".into()).is_err());
    }

    #[test]
    fn fingerprints_and_meta_hashes_read_back() {
        let prints = vec![Pdq([1, 2, 3, u64::MAX]), Pdq([5; 4])];
        let mut back = Vec::new();
        fingerprints_into(&fingerprint_bytes(&prints), &mut back).unwrap();
        assert_eq!(back, prints);
        assert!(fingerprints_into(&[0; 33], &mut back).is_err());
        let none = canonical::meta_hash(None);
        assert!(meta_hash_bytes(&none).is_empty());
        assert_eq!(meta_hash("m", Vec::new()).unwrap(), none);
        assert_eq!(salt_unless_erased("s", Vec::new()).unwrap(), None);
    }
}
