//! Test support shared by every test binary, included from each binary's `main.rs` with
//! `#[path = "../support/mod.rs"] mod support;`: the real binary as a child process
//! ([`process`]), witness configurations ([`witness`]), the outside programs a test needs
//! ([`programs`]), receipt zips as a person uses them ([`bundle`]), polling instead of sleeping
//! ([`wait`]), the service in-process with typed request helpers ([`app`], [`api`]), and a
//! throw-away PostgreSQL with a fresh database per test ([`postgres`]), and the database the
//! service under test uses, SQLite or PostgreSQL by test binary ([`backend`]).

// Each binary uses only part of this module (and of its re-exports); what one binary leaves
// unused another uses.
#![allow(dead_code, unused_imports)]

pub mod api;
pub mod app;
pub mod backend;
pub mod bundle;
pub mod postgres;
pub mod process;
pub mod programs;
pub mod real_server;
pub mod wait;
pub mod witness;

pub use api::*;
pub use app::{TestApp, demo_keys, metric, problem};
pub use wait::wait_until;
pub use witness::{WITNESS_TOKEN, external_witnesses, start_witness};
