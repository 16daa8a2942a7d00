//! The witness protocol's JSON bodies (DESIGN §5). Requests refuse unknown fields; binary
//! values (CMS DER) are standard base64 with padding.

use serde::{Deserialize, Serialize};

use crate::domain::{Hash, LogName, Role, WitnessName};

/// At most this many headers in one cosign request; the sealer pages a longer backlog.
pub const MAX_HEADERS_PER_REQUEST: usize = 1000;
/// At most this many bytes in one cosign request body.
pub const MAX_REQUEST_BYTES: usize = 2 << 20;

/// `POST /witness/v1/cosign`: headers the witness may not have signed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CosignRequest {
    /// Exact header texts, oldest first, newest last, at consecutive heights.
    pub headers: Vec<String>,
}

/// The answer to a cosign request: one co-signature per header the witness had not signed
/// before, in the order of the request. Headers it had already signed are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CosignResponse {
    pub cosignatures: Vec<SignedHeader>,
}

/// One new co-signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedHeader {
    pub height: u64,
    pub block_hash: Hash,
    /// CMS SignedData (DER) over the exact header bytes; base64 in JSON.
    #[serde(with = "base64_bytes")]
    pub cms: Vec<u8>,
}

/// `GET /witness/v1/state`: what the witness last signed, and who it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessStateView {
    pub witness: WitnessName,
    pub role: Role,
    pub log: LogName,
    /// `None` for a fresh witness. After enrolment at `H` (and before signing), `H`.
    pub last_signed_height: Option<u64>,
    pub last_signed_hash: Option<Hash>,
    /// The co-signature of the last signed header; `None` when fresh or only enrolled.
    #[serde(with = "base64_opt")]
    pub last_cosignature: Option<Vec<u8>>,
    /// The witness certificate then its intermediates, PEM; no root.
    pub chain: Vec<String>,
}

/// `GET /witness/v1/head`, for anyone (no credential): the last height the witness co-signed
/// (or was enrolled at) and that block's hash, public facts of the log. An auditor compares
/// them with the operator's database (`notarium audit --witness`) to find a rollback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessHead {
    pub witness: WitnessName,
    pub role: Role,
    pub log: LogName,
    /// `None` for a fresh witness.
    pub last_signed_height: Option<u64>,
    pub last_signed_hash: Option<Hash>,
}

/// `Vec<u8>` as standard base64 text.
pub(crate) mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        STANDARD.decode(text.as_bytes()).map_err(serde::de::Error::custom)
    }
}

/// `Option<Vec<u8>>` as standard base64 text or `null`.
pub(crate) mod base64_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => super::base64_bytes::serialize(b, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super::base64_bytes")] Vec<u8>);
        Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(b)| b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn signed_header_is_base64_in_json_and_round_trips() {
        let s = SignedHeader { height: 7, block_hash: Hash::of(b"h"), cms: vec![0, 1, 2, 255] };
        let value = serde_json::to_value(&s).unwrap();
        assert_eq!(value, json!({"height": 7, "block_hash": Hash::of(b"h").to_string(), "cms": "AAEC/w=="}));
        assert_eq!(serde_json::from_value::<SignedHeader>(value).unwrap(), s);
    }

    #[test]
    fn request_refuses_unknown_fields() {
        let err = serde_json::from_value::<CosignRequest>(json!({"headers": [], "extra": 1})).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn state_view_null_cosignature_round_trips() {
        let view = WitnessStateView {
            witness: "court".parse().unwrap(),
            role: Role::Court,
            log: "notarium.test/dev".parse().unwrap(),
            last_signed_height: None,
            last_signed_hash: None,
            last_cosignature: None,
            chain: vec![],
        };
        let value = serde_json::to_value(&view).unwrap();
        assert_eq!(value["last_cosignature"], serde_json::Value::Null);
        assert_eq!(serde_json::from_value::<WitnessStateView>(value).unwrap(), view);
        let with_cms = WitnessStateView { last_cosignature: Some(vec![9, 9]), ..view };
        let back: WitnessStateView = serde_json::from_value(serde_json::to_value(&with_cms).unwrap()).unwrap();
        assert_eq!(back, with_cms);
    }
}
