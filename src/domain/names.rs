//! Small vocabularies: log names, witness names, evidence kinds and witness roles.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A name that does not match its pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} must match {pattern}")]
pub struct NameError {
    what: &'static str,
    pattern: &'static str,
}

/// The name of a log, `[a-z0-9.-]+(/[a-z0-9.-]+)*`, at most 255 bytes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogName(String);

/// The name of a witness, `[a-z0-9][a-z0-9.-]*`, at most 64 bytes. It names files in the
/// receipt zip (`<witness>.p7s`), so it never holds a slash or starts with a dot.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WitnessName(String);

fn is_name_char(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-')
}

impl FromStr for LogName {
    type Err = NameError;
    fn from_str(text: &str) -> Result<Self, NameError> {
        let ok = !text.is_empty()
            && text.len() <= 255
            && text.split('/').all(|seg| !seg.is_empty() && seg.bytes().all(is_name_char));
        ok.then(|| Self(text.to_owned())).ok_or(NameError { what: "a log name", pattern: "[a-z0-9.-]+(/[a-z0-9.-]+)*" })
    }
}

impl FromStr for WitnessName {
    type Err = NameError;
    fn from_str(text: &str) -> Result<Self, NameError> {
        let ok = text.len() <= 64
            && text.as_bytes().first().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && text.bytes().all(is_name_char);
        ok.then(|| Self(text.to_owned()))
            .ok_or(NameError { what: "a witness name", pattern: "[a-z0-9][a-z0-9.-]{0,63}" })
    }
}

/// The kind of an evidence record.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    Document,
    Contract,
    Image,
    Invoice,
    InvoiceVoid,
    Claim,
    ClaimWithdrawal,
}

/// The role a witness certificate names in its single OU.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Court,
    Notary,
}

/// The one role of a tenant: what its API keys may do.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantRole {
    Merchant,
    Hospital,
    Insurer,
    Court,
    Notary,
    Admin,
}

impl TenantRole {
    pub const ALL: [TenantRole; 6] =
        [Self::Merchant, Self::Hospital, Self::Insurer, Self::Court, Self::Notary, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merchant => "merchant",
            Self::Hospital => "hospital",
            Self::Insurer => "insurer",
            Self::Court => "court",
            Self::Notary => "notary",
            Self::Admin => "admin",
        }
    }
}

impl FromStr for TenantRole {
    type Err = UnknownWord;
    fn from_str(word: &str) -> Result<Self, UnknownWord> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == word)
            .ok_or_else(|| UnknownWord { what: "tenant role", word: word.to_owned() })
    }
}

/// A word outside a fixed vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {word:?}")]
pub struct UnknownWord {
    what: &'static str,
    word: String,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 7] = [
        Self::Document,
        Self::Contract,
        Self::Image,
        Self::Invoice,
        Self::InvoiceVoid,
        Self::Claim,
        Self::ClaimWithdrawal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Document => "document",
            Self::Contract => "contract",
            Self::Image => "image",
            Self::Invoice => "invoice",
            Self::InvoiceVoid => "invoice-void",
            Self::Claim => "claim",
            Self::ClaimWithdrawal => "claim-withdrawal",
        }
    }
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Court => "court",
            Self::Notary => "notary",
        }
    }
}

impl FromStr for EvidenceKind {
    type Err = UnknownWord;
    fn from_str(word: &str) -> Result<Self, UnknownWord> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == word)
            .ok_or_else(|| UnknownWord { what: "evidence kind", word: word.to_owned() })
    }
}

impl FromStr for Role {
    type Err = UnknownWord;
    fn from_str(word: &str) -> Result<Self, UnknownWord> {
        [Self::Court, Self::Notary]
            .into_iter()
            .find(|r| r.as_str() == word)
            .ok_or_else(|| UnknownWord { what: "witness role", word: word.to_owned() })
    }
}

macro_rules! display_as_str {
    ($($name:ty),*) => {$(
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_str!(EvidenceKind, Role, TenantRole, LogName, WitnessName);

macro_rules! string_name {
    ($($name:ident),*) => {$(
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    )*};
}
string_name!(LogName, WitnessName);
super::text::serde_as_text!(LogName, WitnessName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_names() {
        for good in ["notarium", "notarium.test/dev", "a-b/c.d/0"] {
            assert!(good.parse::<LogName>().is_ok(), "{good}");
        }
        for bad in ["", "/a", "a/", "a//b", "A", "a b", "a_b", &"a".repeat(256)] {
            assert!(bad.parse::<LogName>().is_err(), "{bad}");
        }
    }

    #[test]
    fn witness_names() {
        for good in ["court", "notary-2", "court.example"] {
            assert!(good.parse::<WitnessName>().is_ok(), "{good}");
        }
        for bad in ["", ".court", "-x", "a/b", "Court", "..", &"a".repeat(65)] {
            assert!(bad.parse::<WitnessName>().is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for kind in EvidenceKind::ALL {
            assert_eq!(kind.as_str().parse::<EvidenceKind>().unwrap(), kind);
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
        }
        assert!("Invoice".parse::<EvidenceKind>().is_err());
    }
}
