//! Notarium: a trusted evidence notarization service.
//!
//! Evidence is hashed (BLAKE3) into leaves, leaves are batched into Merkle trees, and each
//! block header is co-signed by independent court and notary witnesses holding X.509
//! certificates. A receipt proves one record's inclusion and verifies offline.
//!
//! - [`audit`]: recomputing every leaf, root, block hash and co-signature from the database.
//! - [`domain`]: the pure v1 formats and verification rules (no I/O).
//! - [`crypto`]: CMS co-signatures, certificate checks, trust anchors, the dev PKI.
//! - [`bundle`]: a receipt as files: read from `.json` or `.zip`, written as the `.zip` bundle.
//! - [`cli`]: the `notarium` command line.
//! - [`fingerprint`]: image uploads decoded under limits, PDQ fingerprints, their in-memory index.
//! - [`first_start`]: a new data directory's dev PKI and demo tenants.
//! - [`images`]: registered pictures: the decode budget, the search index in memory, search.
//! - [`layered`]: settings layered from defaults, a TOML file, the environment and flags.
//! - [`pages`]: the HTML pages (English and Simplified Chinese).
//! - [`private_files`]: files created 0600 and directories 0700 (the umask), warnings at start.
//! - [`problem`]: errors at the HTTP boundary (problem+json).
//! - [`tls`]: what the API's and the witness's HTTPS listeners share.
//! - [`witness`]: the witness server and the client the sealer uses.
#![forbid(unsafe_code)]

pub mod app;
pub mod audit;
pub mod bundle;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod files;
pub mod fingerprint;
pub mod first_start;
pub mod http;
pub mod images;
pub mod ingest;
pub mod layered;
pub mod metrics;
pub mod pages;
pub mod private_files;
pub mod problem;
pub mod receipts;
pub mod seal;
pub mod service;
pub mod signals;
pub mod store;
pub mod tls;
pub mod witness;
