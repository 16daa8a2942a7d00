//! RFC 8785 canonical JSON and the hashes taken over it.

use serde_json::{Map, Value};

use super::hex32::Hash;

/// A metadata object: JSON object whose canonical form is committed through `meta`.
pub type Metadata = Map<String, Value>;

/// The RFC 8785 canonical bytes of a JSON value.
pub fn canonical_json(value: &Value) -> Vec<u8> {
    // Serialising a `serde_json::Value` to memory cannot fail: its map keys are strings and
    // its numbers are finite.
    serde_json_canonicalizer::to_vec(value).expect("a JSON value always canonicalises")
}

/// BLAKE3 of the canonical metadata object; of `{}` when there is none.
pub fn meta_hash(metadata: Option<&Metadata>) -> Hash {
    match metadata {
        Some(m) => {
            let bytes = serde_json_canonicalizer::to_vec(m).expect("a JSON object always canonicalises");
            Hash::of(&bytes)
        }
        None => Hash::of(b"{}"),
    }
}

/// BLAKE3 of the canonical form of structured content (an invoice, a claim).
pub fn structured_content_hash(value: &Value) -> Hash {
    Hash::of(&canonical_json(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_by_utf16_and_drops_whitespace() {
        // U+FB01 sorts after U+1F600 by code point but before it by UTF-16 code unit
        // (0xFB01 > 0xD83D), which is what RFC 8785 asks for.
        let v = json!({"b": 1, "a": [true, null, "x"], "\u{fb01}": 1.5, "\u{1F600}": {}, "n": -0.0});
        let text = String::from_utf8(canonical_json(&v)).unwrap();
        assert_eq!(text, "{\"a\":[true,null,\"x\"],\"b\":1,\"n\":0,\"\u{1F600}\":{},\"\u{fb01}\":1.5}");
    }

    #[test]
    fn no_metadata_hashes_like_an_empty_object() {
        assert_eq!(meta_hash(None), meta_hash(Some(&Map::new())));
    }
}
