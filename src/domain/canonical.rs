//! RFC 8785 canonical JSON and the hashes taken over it.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::hex32::{Hash, Salt};

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
        Some(m) => Hash::of(&serde_json_canonicalizer::to_vec(m).expect("a JSON object always canonicalises")),
        None => Hash::of(b"{}"),
    }
}

/// The `meta` a leaf commits to: with a `meta_salt` (leaf v2), BLAKE3 keyed with it over the
/// canonical metadata (`{}` when there is none), which no one without the salt can reproduce
/// from a guess; without one (leaf v1, records registered before), [`meta_hash`].
pub fn meta_commitment(meta_salt: Option<&Salt>, metadata: Option<&Metadata>) -> Hash {
    let Some(key) = meta_salt else { return meta_hash(metadata) };
    let canonical = match metadata {
        Some(m) => serde_json_canonicalizer::to_vec(m).expect("a JSON object always canonicalises"),
        None => b"{}".to_vec(),
    };
    Hash(*blake3::keyed_hash(key.as_bytes(), &canonical).as_bytes())
}

/// BLAKE3 of the canonical form of structured content (an invoice, a claim).
pub fn structured_content_hash(value: &Value) -> Hash {
    Hash::of(&canonical_json(value))
}

/// Deserialises an optional metadata object, refusing duplicate keys at every depth: RFC 8785
/// and I-JSON require unique names, and with duplicates a reader could show one value while the
/// hash covers another. Use with `#[serde(default, deserialize_with = "...")]`.
pub fn unique_keys_metadata<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Metadata>, D::Error> {
    match d.deserialize_any(UniqueKeys)? {
        Value::Null => Ok(None),
        Value::Object(m) => Ok(Some(m)),
        other => Err(de::Error::custom(format!("metadata must be a JSON object, not {}", kind_of(&other)))),
    }
}

/// Any JSON value with unique object keys at every depth (see [`unique_keys_metadata`]): what
/// an invoice is read as before it is canonicalised and hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct StrictJson(pub Value);

impl<'de> serde::Deserialize<'de> for StrictJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeys).map(StrictJson)
    }
}

/// Builds a `serde_json::Value` like serde_json does, but refuses a repeated object key.
struct UniqueKeys;

impl<'de> Visitor<'de> for UniqueKeys {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("a number must be finite"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Seed)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key {key:?}")));
            }
            let value = map.next_value_seed(Seed)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

struct Seed;

impl<'de> de::DeserializeSeed<'de> for Seed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(UniqueKeys)
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
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

    #[derive(serde::Deserialize, Debug)]
    struct Holder {
        #[serde(default, deserialize_with = "unique_keys_metadata")]
        metadata: Option<Metadata>,
    }

    #[test]
    fn duplicate_keys_are_refused_at_every_depth() {
        let parse = |t: &str| serde_json::from_str::<Holder>(t);
        assert!(parse(r#"{"metadata": {"a": 1, "b": {"c": [1, {"d": null}]}}}"#).unwrap().metadata.is_some());
        assert!(parse(r#"{"metadata": null}"#).unwrap().metadata.is_none());
        assert!(parse(r#"{}"#).unwrap().metadata.is_none());
        for bad in [
            r#"{"metadata": {"title": "A", "title": "B"}}"#,
            r#"{"metadata": {"x": {"y": 1, "y": 2}}}"#,
            r#"{"metadata": {"x": [{"y": 1, "y": 1}]}}"#,
            r#"{"metadata": [1, 2]}"#,
            r#"{"metadata": "text"}"#,
        ] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.contains("duplicate key") || err.contains("must be a JSON object"), "{bad}: {err}");
        }
    }

    #[test]
    fn no_metadata_hashes_like_an_empty_object() {
        assert_eq!(meta_hash(None), meta_hash(Some(&Map::new())));
        let salt = Salt([9; 32]);
        assert_eq!(meta_commitment(Some(&salt), None), meta_commitment(Some(&salt), Some(&Map::new())));
    }

    #[test]
    fn the_keyed_commitment_needs_the_salt() {
        let m = json!({"patient": "secret"}).as_object().unwrap().clone();
        let salted = meta_commitment(Some(&Salt([1; 32])), Some(&m));
        assert_eq!(meta_commitment(None, Some(&m)), meta_hash(Some(&m)));
        assert_ne!(salted, meta_hash(Some(&m)));
        assert_ne!(salted, meta_commitment(Some(&Salt([2; 32])), Some(&m)));
        assert_eq!(salted, Hash(*blake3::keyed_hash(&[1; 32], br#"{"patient":"secret"}"#).as_bytes()));
    }
}
