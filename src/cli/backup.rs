//! `notarium backup DEST` and `notarium restore SRC --data DIR [--force]` (docs/operations.md,
//! "Backup and restore").

use std::path::PathBuf;
use std::process::ExitCode;

use super::database::DatabaseArgs;
use super::verify::printable;
use crate::service::backup::{BackupSummary, RestoreSummary, backup, restore};

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// Where the backup goes: a new directory, or an empty one (created 0700, files 0600).
    dest: PathBuf,
    /// The data directory to back up; a server may be running on it.
    #[arg(long, env = "NOTARIUM_DATA", default_value_os_t = super::default_data_dir())]
    data: PathBuf,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// A directory `notarium backup` finished (it holds backup.json).
    src: PathBuf,
    /// The data directory to restore into: new or empty, unless --force.
    #[arg(long, env = "NOTARIUM_DATA")]
    data: PathBuf,
    /// Restore over a data directory that holds files: its database is replaced, the backup's
    /// originals and pki/ files are written over its own; its witnesses/ state stays.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// Exit 0 with a summary; 2 naming why there is no backup.
pub fn run_backup(args: &BackupArgs) -> ExitCode {
    let done = runtime().and_then(|runtime| {
        let database = args.database.database(&args.data)?;
        Ok(runtime.block_on(backup(&args.data, &database, &args.dest))?)
    });
    match done {
        Ok(summary) => {
            print!("{}", backup_report(&summary, &args.dest));
            ExitCode::SUCCESS
        }
        Err(e) => fail("backup", &e),
    }
}

/// Exit 0 with a summary and the rollback warning; 2 naming why nothing was restored.
pub fn run_restore(args: &RestoreArgs) -> ExitCode {
    let done = args
        .database
        .database(&args.data)
        .and_then(|database| Ok(restore(&args.src, &args.data, &database, args.force)?));
    match done {
        Ok(summary) => {
            print!("{}", restore_report(&summary, &args.data));
            ExitCode::SUCCESS
        }
        Err(e) => fail("restore", &e),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

fn fail(command: &str, e: &anyhow::Error) -> ExitCode {
    eprintln!("notarium {command}: {}", printable(&format!("{e:#}")));
    ExitCode::from(2)
}

fn heights(max_height: Option<u64>) -> String {
    max_height.map_or("no block yet".into(), |h| format!("blocks 0 to {h}"))
}

fn backup_report(s: &BackupSummary, dest: &std::path::Path) -> String {
    let m = &s.manifest;
    format!(
        "backed up {} records ({}), {} originals ({} bytes) and {} pki files into {} in {:.2} s\n",
        m.records,
        heights(m.max_height),
        m.originals,
        m.original_bytes,
        s.pki_files,
        dest.display(),
        s.elapsed_ms as f64 / 1000.0
    )
}

fn restore_report(s: &RestoreSummary, data: &std::path::Path) -> String {
    let m = &s.manifest;
    format!(
        "restored the backup of {} ({} records, {}), {} originals and {} pki files into {}\n\
         WARNING: this rolls the log back to the backup. Witnesses that co-signed a block after {} \
         will refuse the next block as a fork, and the service halts (log_halted), unless the backup \
         holds every block they co-signed. Before serving, compare with them: \
         notarium audit --data {} --witness URL... (docs/operations.md, \"Backup and restore\" and \"A fork\").\n",
        m.created,
        m.records,
        heights(m.max_height),
        s.originals.files,
        s.pki_files,
        data.display(),
        m.max_height.map_or("the backup's last block".into(), |h| format!("height {h}")),
        data.display(),
    )
}
