//! The HTTP API stories of `tests/api` again, with the service keeping its records in
//! PostgreSQL: a throw-away cluster for this binary and a fresh database per data directory
//! (`support::backend`, which picks PostgreSQL for this test target by its name,
//! `api_postgres`). Without PostgreSQL installed the whole binary is skipped (a failure in CI).
//!
//! Every story module of `tests/api/main.rs` is here, except these (SQLite only):
//! - `audit`: it copies the data directory's SQLite file and changes bytes in it with SQLite's
//!   SQL, to prove that the audit names each one (`audit_backends`, the clean audit and the
//!   scheduled one, runs here; `database_settings` runs `notarium audit --database-url`).
//! - `image_memory`: it measures the peak memory of the image decoding that refuses bad files
//!   before anything is stored; the database plays no part, and it takes ~18 s.
//! - `invoice_privacy`: it searches the data directory's files, where SQLite keeps the records,
//!   for an erased invoice's bytes. PostgreSQL's files are the cluster's, and they keep an
//!   updated row's old version until VACUUM (tests/storage checks that no row keeps them).
//! - `verify_online`: it rolls the service back by copying its data directory, where SQLite
//!   keeps the records (the storage reads the header pages use run on both backends in
//!   tests/storage/blocks.rs).
//!
//! `database_settings` is this binary's own: `serve`, `admin` and `audit` on PostgreSQL.

#[path = "../api/audit_backends.rs"]
mod audit_backends;
#[path = "../api/browser.rs"]
mod browser;
#[path = "../api/browser_session.rs"]
mod browser_session;
#[path = "../api/cluster/mod.rs"]
mod cluster;
#[path = "../api/config_cli.rs"]
mod config_cli;
#[path = "../api/contract.rs"]
mod contract;
mod database_settings;
#[path = "../api/errors.rs"]
mod errors;
#[path = "../api/evidence.rs"]
mod evidence;
#[path = "../api/idempotency.rs"]
mod idempotency;
#[path = "../api/image_pages.rs"]
mod image_pages;
#[path = "../api/images.rs"]
mod images;
#[path = "../api/invoice_pages.rs"]
mod invoice_pages;
#[path = "../api/invoices/mod.rs"]
mod invoices;
#[path = "../api/limits.rs"]
mod limits;
#[path = "../api/log_halt.rs"]
mod log_halt;
#[path = "../api/logs.rs"]
mod logs;
#[path = "../api/metrics.rs"]
mod metrics;
#[path = "../api/openapi.rs"]
mod openapi;
#[path = "../api/ops.rs"]
mod ops;
#[path = "../api/pages.rs"]
mod pages;
#[path = "../api/pictures.rs"]
mod pictures;
#[path = "../api/process.rs"]
mod process;
#[path = "../api/receipt_privacy.rs"]
mod receipt_privacy;
#[path = "../api/receipt_zip.rs"]
mod receipt_zip;
#[path = "../support/mod.rs"]
mod support;
#[path = "../api/tiles.rs"]
mod tiles;
#[path = "../api/tls.rs"]
mod tls;
#[path = "../api/witness_backlog.rs"]
mod witness_backlog;
