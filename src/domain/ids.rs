//! Identifiers: UUIDv7, lowercase, with hyphens.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// Why a text is not a canonical UUIDv7.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not a UUID written as 36 lowercase characters with hyphens.
    #[error("expected a UUID in lowercase hyphenated form")]
    NotCanonical,
    /// A UUID, but not of version 7.
    #[error("expected a version 7 UUID")]
    NotVersion7,
}

fn parse_uuid7(text: &str) -> Result<Uuid, IdError> {
    let uuid = Uuid::try_parse(text).map_err(|_| IdError::NotCanonical)?;
    if uuid.hyphenated().to_string() != text {
        return Err(IdError::NotCanonical);
    }
    if uuid.get_version_num() != 7 || uuid.get_variant() != uuid::Variant::RFC4122 {
        return Err(IdError::NotVersion7);
    }
    Ok(uuid)
}

macro_rules! uuid7_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh id: UUIDv7 from the current time and random bits.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, IdError> {
                parse_uuid7(text).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

    };
}

uuid7_newtype!(
    /// The id of one evidence record.
    EvidenceId
);
uuid7_newtype!(
    /// The id of a tenant (an organisation with API keys and one role).
    TenantId
);
super::text::serde_as_text!(EvidenceId, TenantId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_canonical_v7_only() {
        let id = "019aa6b2-5c00-7000-8000-000000000001";
        assert_eq!(id.parse::<EvidenceId>().unwrap().to_string(), id);
        assert_eq!(id.to_uppercase().parse::<EvidenceId>(), Err(IdError::NotCanonical));
        assert_eq!(id.replace('-', "").parse::<EvidenceId>(), Err(IdError::NotCanonical));
        assert_eq!("019aa6b2-5c00-4000-8000-000000000001".parse::<TenantId>(), Err(IdError::NotVersion7));
    }

    #[test]
    fn generated_ids_are_v7_and_round_trip() {
        let id = TenantId::generate();
        assert_eq!(id.to_string().parse::<TenantId>().unwrap(), id);
    }
}
