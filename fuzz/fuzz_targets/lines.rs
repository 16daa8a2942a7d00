//! The line formats: leaf text (leaf v1 and v2) and block header text. What parses must print
//! back to the same bytes (the formats have one spelling) and hash without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notarium::domain::{BlockHeader, Leaf};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(leaf) = Leaf::parse(text) {
        assert_eq!(leaf.text(), text, "a parsed leaf prints back to its text");
        let _ = leaf.hash();
    }
    if let Ok(header) = BlockHeader::parse(text) {
        assert_eq!(header.text(), text, "a parsed header prints back to its text");
        let _ = header.block_hash();
    }
});
