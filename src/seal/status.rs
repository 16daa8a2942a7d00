//! What `/readyz`, `/v1/witnesses` and the metrics show of the sealer and each witness.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::domain::Timestamp;
use crate::store::LogHalt;

#[derive(Debug, Default)]
pub struct SealerStatus {
    pub last_round: Option<Instant>,
    /// The halt after a fork: set by a cosigner at a `fork` refusal and kept in step with
    /// the database (the source of truth) by [`super::halt::follow`].
    pub fork: Option<LogHalt>,
    /// How many times a cosigner of this node recorded a halt: a poll that began before the
    /// latest one read the database too early to lift it.
    pub halts_recorded: u64,
    pub witnesses: Vec<WitnessStatus>,
}

#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct WitnessStatus {
    pub name: String,
    pub role: String,
    pub reachable: Option<bool>,
    pub last_height: Option<u64>,
    pub last_contact: Option<Timestamp>,
    pub last_refusal: Option<String>,
    pub refusals: u64,
    /// The last failure of any kind (logged once per change); cleared on success.
    pub last_error: Option<String>,
    /// When the next attempt is due while retrying with backoff.
    pub retry_in_ms: Option<u64>,
}

pub type SharedStatus = Arc<Mutex<SealerStatus>>;
