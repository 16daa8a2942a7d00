//! A record's status, from the block that holds it.

use serde::Serialize;

/// `pending` (accepted, durable), `sealed` (in a block) or `anchored` (co-signed to the quorum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceStatus {
    Pending,
    Sealed,
    Anchored,
}

impl EvidenceStatus {
    /// The status of a record in no block (`None`), or in a block anchored or not.
    pub fn of_block(anchored: Option<bool>) -> Self {
        match anchored {
            None => Self::Pending,
            Some(true) => Self::Anchored,
            Some(false) => Self::Sealed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sealed => "sealed",
            Self::Anchored => "anchored",
        }
    }
}

impl std::fmt::Display for EvidenceStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
