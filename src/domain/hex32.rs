//! 32-byte values written as 64 lowercase hex digits: hashes and salts.

use std::fmt;
use std::str::FromStr;

/// Why a text is not 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// The text does not have exactly 64 characters.
    #[error("expected 64 hex digits, got {0} characters")]
    Length(usize),
    /// A character is not one of `0-9a-f` (uppercase is refused too).
    #[error("expected lowercase hex digits (0-9, a-f)")]
    NotLowercaseHex,
}

fn parse_hex32(text: &str) -> Result<[u8; 32], HexError> {
    if text.len() != 64 {
        return Err(HexError::Length(text.chars().count()));
    }
    if !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(HexError::NotLowercaseHex);
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).map_err(|_| HexError::NotLowercaseHex)?;
    Ok(out)
}

macro_rules! hex32_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// All zero bytes (the `prev` of a genesis header, the root of an empty block).
            pub const ZERO: Self = Self([0u8; 32]);

            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = HexError;
            fn from_str(text: &str) -> Result<Self, HexError> {
                parse_hex32(text).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // On the stack: every hash of every response and leaf text passes here.
                let mut text = [0u8; 64];
                hex::encode_to_slice(self.0, &mut text).map_err(|_| fmt::Error)?;
                f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
            }
        }

    };
}

hex32_newtype!(
    /// A BLAKE3-256 digest.
    Hash
);
hex32_newtype!(
    /// The 32 random bytes mixed into a leaf so that low-entropy content cannot be guessed
    /// from its public leaf hash.
    Salt
);

super::text::serde_as_text!(Hash, Salt);

impl Hash {
    /// BLAKE3-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(*blake3::hash(bytes).as_bytes())
    }
}

impl From<blake3::Hash> for Hash {
    fn from(h: blake3::Hash) -> Self {
        Self(*h.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trips_lowercase_hex() {
        let text = "00ff".repeat(16);
        let h: Hash = text.parse().unwrap();
        assert_eq!(h.to_string(), text);
    }

    #[test]
    fn refuses_wrong_length_uppercase_and_non_hex() {
        assert_eq!("ab".repeat(31).parse::<Hash>(), Err(HexError::Length(62)));
        assert_eq!(format!("{}0", "a".repeat(64)).parse::<Hash>(), Err(HexError::Length(65)));
        assert_eq!("A".repeat(64).parse::<Hash>(), Err(HexError::NotLowercaseHex));
        assert_eq!("g".repeat(64).parse::<Salt>(), Err(HexError::NotLowercaseHex));
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_accepts_only_canonical(text in "\\PC{0,80}") {
            if let Ok(h) = text.parse::<Hash>() {
                prop_assert_eq!(h.to_string(), text);
            }
        }
    }
}
