//! The `notarium` command line. No subcommand means `serve`.

mod admin;
mod audit;
mod backup;
mod compare;
mod database;
mod migrate;
mod serve;
mod verify;
mod witness;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::LogFormat;

#[derive(Parser, Debug)]
#[command(name = "notarium", version, about = "Trusted evidence notarization: register, seal, co-sign, verify.")]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the service (the default).
    Serve(serve::ServeArgs),
    /// Tenant and key management.
    Admin(admin::AdminArgs),
    /// Run a court or notary witness process (or enrol its state).
    Witness(witness::WitnessArgs),
    /// Check a receipt offline: exit 0 valid, 1 invalid, 2 unusable input.
    Verify(verify::VerifyArgs),
    /// Compare a suspect picture with the fingerprints an image's receipt commits to, offline:
    /// exit 0 identical or within the threshold of a valid receipt, 1 not (or inconclusive),
    /// 2 unusable input.
    Compare(compare::CompareArgs),
    /// Recompute every leaf, root, block hash and co-signature from the database: exit 0
    /// consistent, 1 naming the first inconsistency, 2 unusable.
    Audit(audit::AuditArgs),
    /// Print the effective settings (defaults → notarium.toml → NOTARIUM_* → flags) as TOML,
    /// secrets redacted; exit 2 naming the key when one is unknown or invalid.
    Config(serve::ServeArgs),
    /// Copy a SQLite data directory consistently (beside a running server): the database as of
    /// one commit, its originals, pki/: exit 0, or 2 naming why not.
    Backup(backup::BackupArgs),
    /// Restore a backup into a new or empty data directory (--force: over one): exit 0 with
    /// the rollback warning, or 2 naming why not.
    Restore(backup::RestoreArgs),
}

/// Where the data directory is by default.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from("./data")
}

/// Parses the command line and runs it.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Verify(args)) => verify::run(&args),
        Some(Command::Serve(args)) => serve::run(&args),
        None => serve::run(&serve::ServeArgs::default()),
        Some(Command::Admin(args)) => admin::run(&args),
        Some(Command::Witness(args)) => witness::run(&args),
        Some(Command::Audit(args)) => audit::run(&args),
        Some(Command::Compare(args)) => compare::run(&args),
        Some(Command::Config(args)) => serve::print_config(&args),
        Some(Command::Backup(args)) => backup::run_backup(&args),
        Some(Command::Restore(args)) => backup::run_restore(&args),
    }
}

/// Human-readable logs on stderr; `RUST_LOG` filters (default `info`).
pub fn init_logging() {
    init_logging_as(LogFormat::Text);
}

/// Logs on stderr, human-readable or one JSON object per line (event fields at the top level);
/// `RUST_LOG` filters (default `info`).
pub fn init_logging_as(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).with_span_list(false).try_init(),
    };
}
