//! The HTTP API: the real application on port 0 with a fresh data directory per test, real
//! SQLite, real openssl, real in-process witnesses over HTTP.

mod audit;
mod audit_backends;
mod audit_witness;
mod backup;
mod browser;
mod browser_session;
mod certificate_page;
mod certificate_pdf;
mod cluster;
mod config_cli;
mod contract;
mod decode_queue;
mod errors;
mod evidence;
mod file_modes;
mod full_disk;
mod idempotency;
mod image_memory;
mod image_pages;
mod images;
mod invoice_pages;
mod invoice_privacy;
mod invoices;
mod limits;
mod log_halt;
mod logs;
mod metrics;
mod openapi;
mod openapi_answers;
mod ops;
mod pages;
mod pictures;
mod process;
mod public_url;
mod receipt_privacy;
mod receipt_zip;
mod slow_clients;
mod storage_full;
#[path = "../support/mod.rs"]
mod support;
mod tiles;
mod tls;
mod verify_online;
mod verify_sh;
mod witness_backlog;
