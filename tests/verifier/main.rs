//! Offline verification: the v1 formats against independent vectors, receipts built with the
//! committed test PKI (certs/), the `notarium verify` command, and the real `openssl` CLI.

mod cli;
mod devpki;
mod fuzz;
mod openssl_cli;
mod receipts;
mod support;
mod trust;
mod vectors;
