//! Offline verification: the v1 formats against independent vectors, receipts built with the
//! committed test PKI (certs/), the `notarium verify` command, the real `openssl` CLI, and the
//! receipt zip with its `VERIFY.txt`.

mod bundle;
mod cli;
mod devpki;
mod fixtures;
mod fuzz;
mod online;
mod openssl_cli;
mod receipts;
mod receipts_v2;
#[path = "../support/mod.rs"]
mod support;
mod trust;
mod vectors;
mod vectors_v2;
mod verify_sh;
