//! The witness over real HTTP: a real server on 127.0.0.1 port 0, real OpenSSL signatures and
//! a fresh state directory per test, driven through `WitnessClient` and raw requests.

mod cosign;
mod fixtures;
mod input;
mod refusals;
mod restart;
#[path = "../support/mod.rs"]
mod support;
