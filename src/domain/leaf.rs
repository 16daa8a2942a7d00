//! The leaf: the canonical text that commits to one evidence record (docs/formats.md §Leaf).

use std::fmt::Write;

use super::hex32::{Hash, Salt};
use super::ids::{EvidenceId, TenantId};
use super::lines::{LineReader, LinesError};
use super::names::EvidenceKind;
use super::time::Timestamp;

/// The version of a leaf text, named by its tag line. The lines are the same in both; only the
/// meaning of `meta` differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeafVersion {
    /// `notarium/leaf/v1`: `meta` is the unsalted BLAKE3 of the canonical metadata (records
    /// registered before v2, which keep it).
    V1,
    /// `notarium/leaf/v2`: `meta` is BLAKE3 keyed with the record's `meta_salt`, so that metadata
    /// cannot be confirmed by hashing a guess.
    V2,
}

impl LeafVersion {
    /// The tag line of this version's leaf text.
    pub fn tag(self) -> &'static str {
        match self {
            Self::V1 => "notarium/leaf/v1",
            Self::V2 => "notarium/leaf/v2",
        }
    }
}

/// The fields a leaf commits to, in leaf-text order (the version is the tag line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    pub version: LeafVersion,
    pub id: EvidenceId,
    pub kind: EvidenceKind,
    /// BLAKE3 of the content bytes (of the RFC 8785 canonical JSON for structured kinds).
    pub content: Hash,
    pub salt: Salt,
    /// The commitment to the metadata object (`{}` when there is none): see
    /// [`crate::domain::canonical::meta_commitment`].
    pub meta: Hash,
    pub owner: TenantId,
    pub received: Timestamp,
}

impl Leaf {
    /// The exact leaf text.
    pub fn text(&self) -> String {
        let mut t = String::with_capacity(360);
        // Writing to a String cannot fail.
        let _ = write!(
            t,
            "{}\nid {}\nkind {}\ncontent {}\nsalt {}\nmeta {}\nowner {}\nreceived {}\n",
            self.version.tag(),
            self.id,
            self.kind,
            self.content,
            self.salt,
            self.meta,
            self.owner,
            self.received
        );
        t
    }

    /// `BLAKE3(0x00 || leaf_text)`.
    pub fn hash(&self) -> Hash {
        leaf_hash(self.text().as_bytes())
    }

    /// Parses a leaf text of either version strictly: exactly the lines of [`Leaf::text`],
    /// nothing else.
    pub fn parse(text: &str) -> Result<Self, LinesError> {
        let version = if text.starts_with(LeafVersion::V2.tag()) { LeafVersion::V2 } else { LeafVersion::V1 };
        let mut r = LineReader::new(text, version.tag())?;
        let leaf = Leaf {
            version,
            id: r.parsed("id")?,
            kind: r.parsed("kind")?,
            content: r.parsed("content")?,
            salt: r.parsed("salt")?,
            meta: r.parsed("meta")?,
            owner: r.parsed("owner")?,
            received: r.parsed("received")?,
        };
        r.finish()?;
        Ok(leaf)
    }
}

/// `BLAKE3(0x00 || leaf_text)`: the domain-separated hash of a leaf text.
pub fn leaf_hash(leaf_text: &[u8]) -> Hash {
    let mut h = blake3::Hasher::new();
    h.update(&[0x00]);
    h.update(leaf_text);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn sample() -> Leaf {
        Leaf {
            version: LeafVersion::V1,
            id: "019aa6b2-5c00-7000-8000-000000000001".parse().unwrap(),
            kind: EvidenceKind::InvoiceVoid,
            content: Hash::of(b"content"),
            salt: Salt([7; 32]),
            meta: Hash::of(b"{}"),
            owner: "019aa6b2-0000-7000-8000-00000000aaaa".parse().unwrap(),
            received: "2026-11-21T08:00:00.123Z".parse().unwrap(),
        }
    }

    #[test]
    fn text_round_trips() {
        let leaf = sample();
        let text = leaf.text();
        assert!(text.starts_with("notarium/leaf/v1\nid 019aa6b2"));
        assert!(text.contains("\nkind invoice-void\n"));
        assert_eq!(Leaf::parse(&text).unwrap(), leaf);
        let v2 = Leaf { version: LeafVersion::V2, ..leaf };
        assert!(v2.text().starts_with("notarium/leaf/v2\nid 019aa6b2"));
        assert_eq!(Leaf::parse(&v2.text()).unwrap(), v2);
        assert_ne!(v2.hash(), sample().hash());
    }

    #[test]
    fn refuses_non_canonical_texts() {
        let text = sample().text();
        let without_newline = text.strip_suffix('\n').unwrap().to_owned();
        let swapped = text.replacen("kind invoice-void\ncontent", "content", 1);
        let extra = format!("{text}note hi\n");
        let spaced = text.replacen("kind invoice-void", "kind  invoice-void", 1);
        let crlf = text.replace('\n', "\r\n");
        for bad in [without_newline, swapped, extra, spaced, crlf] {
            assert!(Leaf::parse(&bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,400}") {
            let _ = Leaf::parse(&text);
        }

        #[test]
        fn a_changed_byte_is_refused_or_canonical(pos in 0usize..400, byte in any::<u8>()) {
            let reparse = |t: &str| Leaf::parse(t).ok().map(|l| l.text());
            crate::domain::lines::changed_byte_is_refused_or_canonical(&sample().text(), pos, byte, reparse)?;
        }
    }
}
