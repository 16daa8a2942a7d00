//! Witnesses: independent processes that check each new block header against the last one
//! they signed and co-sign it (docs/formats.md, DESIGN §5), and the client the sealer uses.
//!
//! - [`protocol`]: the JSON bodies of `POST /witness/v1/cosign` and `GET /witness/v1/state`.
//! - [`state`]: the witness's durable memory (what it signed, at every height) and [`enrol`].
//! - [`checks`]: the rules a request must pass before anything is signed.
//! - [`server`]: the actix server ([`serve`]).
//! - [`client`]: [`WitnessClient`], which verifies every co-signature it receives.
//! - [`tls`]: HTTPS and the operators' client certificates (mTLS).

mod auth;
pub mod checks;
pub mod client;
mod hashlog;
pub mod protocol;
pub mod server;
pub mod settings;
pub mod state;
pub mod tls;

pub use client::{CosignError, WitnessClient};
pub use protocol::{
    CosignRequest, CosignResponse, MAX_HEADERS_PER_REQUEST, MAX_REQUEST_BYTES, SignedHeader, WitnessStateView,
};
pub use server::{DEFAULT_MAX_SKEW, WitnessConfig, serve};
pub use state::enrol;
