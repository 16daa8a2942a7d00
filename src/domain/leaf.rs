//! The leaf: the canonical text that commits to one evidence record (docs/formats.md §Leaf).

use std::fmt::Write;

use super::hex32::{Hash, Salt};
use super::ids::{EvidenceId, TenantId};
use super::lines::{LineReader, LinesError};
use super::names::EvidenceKind;
use super::time::Timestamp;

const TAG: &str = "notarium/leaf/v1";

/// The fields a leaf commits to, in leaf-text order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    pub id: EvidenceId,
    pub kind: EvidenceKind,
    /// BLAKE3 of the content bytes (of the RFC 8785 canonical JSON for structured kinds).
    pub content: Hash,
    pub salt: Salt,
    /// BLAKE3 of the RFC 8785 canonical JSON of the metadata object (`{}` when there is none).
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
            "{TAG}\nid {}\nkind {}\ncontent {}\nsalt {}\nmeta {}\nowner {}\nreceived {}\n",
            self.id, self.kind, self.content, self.salt, self.meta, self.owner, self.received
        );
        t
    }

    /// `BLAKE3(0x00 || leaf_text)`.
    pub fn hash(&self) -> Hash {
        leaf_hash(self.text().as_bytes())
    }

    /// Parses a leaf text strictly: exactly the lines of [`Leaf::text`], nothing else.
    pub fn parse(text: &str) -> Result<Self, LinesError> {
        let mut r = LineReader::new(text, TAG)?;
        let leaf = Leaf {
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
