//! Sealing and anchoring. The [`Sealer`] turns pending records into chained blocks on a
//! schedule; one [`cosigner`] task per witness brings that witness's co-signatures, retrying
//! with backoff when it is down or refuses; a block is anchored as soon as its stored
//! co-signatures meet the [`QuorumPolicy`](crate::domain::verify::QuorumPolicy). A `fork`
//! refusal halts the log in the database; [`halt::follow`] keeps every node's view of it.

mod backoff;
mod cosigner;
pub mod halt;
mod sealer;
mod status;

pub use backoff::Backoff;
pub use sealer::{Sealer, SealerConfig};
pub use status::{SealerStatus, SharedStatus, WitnessStatus};
