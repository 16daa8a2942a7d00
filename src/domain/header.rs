//! The block header: the exact bytes the witnesses sign (docs/formats.md §Block header).

use std::fmt::Write;

use super::hex32::Hash;
use super::lines::{LineReader, LinesError};
use super::names::LogName;
use super::time::Timestamp;

const TAG: &str = "notarium/block/v1";

/// One block header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockHeader {
    pub log: LogName,
    /// 0 for the genesis block.
    pub height: u64,
    /// `block_hash` of the block at `height - 1`; zero at genesis.
    pub prev: Hash,
    /// Merkle root over the block's leaves; zero for an empty block.
    pub root: Hash,
    pub leaves: u64,
    pub sealed: Timestamp,
}

impl BlockHeader {
    /// The exact header text.
    pub fn text(&self) -> String {
        let mut t = String::with_capacity(300);
        // Writing to a String cannot fail.
        let _ = write!(
            t,
            "{TAG}\nlog {}\nheight {}\nprev {}\nroot {}\nleaves {}\nsealed {}\n",
            self.log, self.height, self.prev, self.root, self.leaves, self.sealed
        );
        t
    }

    /// `BLAKE3(header_text)`.
    pub fn block_hash(&self) -> Hash {
        Hash::of(self.text().as_bytes())
    }

    /// Parses a header strictly: other line order, extra spaces, leading zeros, uppercase hex,
    /// unknown lines and a missing final newline are all refused.
    pub fn parse(text: &str) -> Result<Self, LinesError> {
        let mut r = LineReader::new(text, TAG)?;
        let header = BlockHeader {
            log: r.parsed("log")?,
            height: r.integer("height")?,
            prev: r.parsed("prev")?,
            root: r.parsed("root")?,
            leaves: r.integer("leaves")?,
            sealed: r.parsed("sealed")?,
        };
        r.finish()?;
        Ok(header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> BlockHeader {
        BlockHeader {
            log: "notarium.test/dev".parse().unwrap(),
            height: 10,
            prev: Hash::of(b"prev"),
            root: Hash::of(b"root"),
            leaves: 3,
            sealed: "2026-11-21T08:00:01.000Z".parse().unwrap(),
        }
    }

    #[test]
    fn text_round_trips() {
        let h = sample();
        assert_eq!(BlockHeader::parse(&h.text()).unwrap(), h);
    }

    #[test]
    fn refuses_every_non_canonical_spelling() {
        let text = sample().text();
        let lines: Vec<&str> = text.lines().collect();
        let reordered = {
            let mut l = lines.clone();
            l.swap(2, 3);
            l.join("\n") + "\n"
        };
        let cases = [
            ("reordered lines", reordered),
            ("extra space", text.replacen("height 10", "height  10", 1)),
            ("trailing space", text.replacen("height 10\n", "height 10 \n", 1)),
            ("leading zeros", text.replacen("height 10", "height 010", 1)),
            ("signed number", text.replacen("leaves 3", "leaves +3", 1)),
            ("uppercase hex", text.replacen(&sample().root.to_string(), &sample().root.to_string().to_uppercase(), 1)),
            ("unknown line", format!("{text}extra value\n")),
            ("unknown line inside", text.replacen("leaves 3\n", "leaves 3\nnote x\n", 1)),
            ("missing final newline", text.trim_end_matches('\n').to_owned()),
            ("missing line", text.replacen("leaves 3\n", "", 1)),
            ("wrong tag", text.replacen("notarium/block/v1", "notarium/block/v2", 1)),
            ("crlf", text.replace('\n', "\r\n")),
            ("time without millis", text.replacen("08:00:01.000Z", "08:00:01Z", 1)),
            ("bad log name", text.replacen("notarium.test/dev", "Notarium", 1)),
            ("empty text", String::new()),
        ];
        for (what, bad) in cases {
            assert!(BlockHeader::parse(&bad).is_err(), "{what}: {bad:?}");
        }
        assert_eq!(
            BlockHeader::parse(&text.replacen("height 10", "height 010", 1)),
            Err(LinesError::BadValue { line: 3, field: "height", reason: "leading zeros are not allowed".into() })
        );
    }

    #[test]
    fn height_zero_is_allowed() {
        let h = BlockHeader { height: 0, prev: Hash::ZERO, ..sample() };
        assert_eq!(BlockHeader::parse(&h.text()).unwrap(), h);
    }

    proptest! {
        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = BlockHeader::parse(&text);
        }

        #[test]
        fn a_changed_byte_is_refused_or_canonical(pos in 0usize..300, byte in any::<u8>()) {
            let reparse = |t: &str| BlockHeader::parse(t).ok().map(|h| h.text());
            crate::domain::lines::changed_byte_is_refused_or_canonical(&sample().text(), pos, byte, reparse)?;
        }

        #[test]
        fn whatever_parses_renders_back_identically(
            height in any::<u64>(), leaves in any::<u64>(), ms in 0i64..253_402_300_799_999,
            prev in any::<[u8; 32]>(), root in any::<[u8; 32]>(),
        ) {
            let h = BlockHeader {
                log: "x/y".parse().unwrap(), height, prev: Hash(prev), root: Hash(root), leaves,
                sealed: Timestamp::from_unix_millis(ms).unwrap(),
            };
            let text = h.text();
            prop_assert_eq!(BlockHeader::parse(&text).unwrap().text(), text);
        }
    }
}
