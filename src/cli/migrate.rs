//! `notarium admin migrate [--to postgres://user@host/db] [--from sqlite:///path.db] [--data DIR]`:
//! copies a single-node deployment's database into PostgreSQL ([`crate::service::migrate`]),
//! then compares both sides row by row, prints the rows of every table on both sides and
//! audits the target.
//!
//! Exit 0: every table holds the same rows on both sides and the target's audit is consistent.
//! 1: a table differs or the audit found an inconsistency (both printed). 2: nothing or not
//! all copied (the source in use by `serve`, a target holding other rows, a database that
//! cannot be read or written); run it again to continue where it stopped.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::audit::report;
use super::database::DatabaseArgs;
use super::verify::printable;
use crate::audit::audit_data_dir;
use crate::domain::quorum::QuorumPolicy;
use crate::service::migrate::{self, Options, Progress, TableCount};
use crate::store::{Database, Store};

#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// The PostgreSQL database to copy into, `postgres://user@host/db` (no password in it; see
    /// --database-password-file): empty, or holding what an interrupted run copied. Default:
    /// --database-url (NOTARIUM_DATABASE_URL), the database the service is to use.
    #[arg(long)]
    to: Option<String>,
    /// The SQLite database to copy, `sqlite:///absolute/path.db`; default `<data>/notarium.db`.
    /// Without --data, the data directory is the file's folder.
    #[arg(long)]
    from: Option<String>,
    /// Rows per page: each page is one transaction in the target.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..))]
    page_rows: u32,
    /// The quorum the audit of the target holds every anchored block to (as `notarium audit`).
    #[arg(long, default_value_t = QuorumPolicy::default())]
    quorum: QuorumPolicy,
}

/// Runs the migration; `data` is `--data` when given.
pub fn run(args: &MigrateArgs, data: Option<&Path>, database: &DatabaseArgs) -> ExitCode {
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(migrate(args, data, database)));
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("notarium admin migrate: {}", printable(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

/// Whether the copy is complete and consistent.
async fn migrate(args: &MigrateArgs, data: Option<&Path>, database: &DatabaseArgs) -> anyhow::Result<bool> {
    let (data, from) = source(args.from.as_deref(), data)?;
    if !data.is_dir() {
        bail!("no data directory at {} (--data)", data.display());
    }
    let Some(to) = database.named(args.to.as_deref(), &data) else {
        bail!("--to: the PostgreSQL database to copy into (postgres://user@host/db)");
    };
    let to = to?;
    // The lock `serve` holds on its data directory: no record arrives while the copy runs.
    let _lock = crate::files::lock(&data).context("locking the data directory (stop `notarium serve` on it first)")?;
    let source = Store::copy_source(&from).await?;
    let target = Store::copy_target(&to).await?;
    if let Database::Postgres { url, .. } = &to {
        eprintln!("copying {} into {}", from.display(), url.split('?').next().unwrap_or_default());
    }
    let options = Options { page_rows: args.page_rows, stop_after_pages: None };
    let copied = migrate::migrate(&*source, &*target, options, &mut Shown::new()).await;
    source.close().await;
    target.close().await;
    let counts = copied?;
    print!("{}", table(&counts));
    let audit = audit_data_dir(&data, &to, args.quorum).await.context("auditing the target")?;
    print!("audit of the target: {}", report(&audit));
    let differ: Vec<&TableCount> =
        counts.iter().filter(|c| c.source != c.target || c.first_difference.is_some()).collect();
    for c in &differ {
        let from = c.first_difference.map_or(String::new(), |row| format!(", from row {row} in key order"));
        println!("DIFFERENT: {} has {} rows in the source, {} in the target{from}", c.table, c.source, c.target);
    }
    Ok(differ.is_empty() && audit.inconsistency.is_none())
}

/// The data directory (`--data`, else the folder of `--from`, else `./data`) and the SQLite
/// file to copy.
fn source(from: Option<&str>, data: Option<&Path>) -> anyhow::Result<(PathBuf, PathBuf)> {
    let default = super::default_data_dir();
    let Some(url) = from else {
        let data = data.unwrap_or(&default).to_owned();
        return Ok((data.clone(), data.join(crate::store::DB_FILE)));
    };
    let Database::Sqlite(file) = crate::config::database(Some(url), None, &default).context("--from")? else {
        bail!("--from: the source is a sqlite:///absolute/path.db database");
    };
    let data = data.map(Path::to_owned).or_else(|| file.parent().map(Path::to_owned)).unwrap_or(default);
    Ok((data, file))
}

fn table(counts: &[TableCount]) -> String {
    let mut out = format!("{:<16} {:>12} {:>12}  rows\n", "table", "source", "target");
    for c in counts {
        let rows = match c.first_difference {
            None if c.source == c.target => "equal".to_owned(),
            None => "DIFFERENT".to_owned(),
            Some(row) => format!("DIFFERENT from row {row}"),
        };
        out.push_str(&format!("{:<16} {:>12} {:>12}  {rows}\n", c.table, c.source, c.target));
    }
    out
}

/// Progress on stderr: on a terminal one line redrawn at most ten times a second, then a line
/// per table; elsewhere (a log, a pipe) the line per table alone.
struct Shown {
    terminal: bool,
    drawn: Instant,
    held: u64,
    started: Instant,
}

impl Shown {
    fn new() -> Self {
        let now = Instant::now();
        Self { terminal: std::io::stderr().is_terminal(), drawn: now, held: 0, started: now }
    }
}

impl Progress for Shown {
    fn started(&mut self, _table: &str, held: u64, _total: u64) {
        (self.held, self.started) = (held, Instant::now());
    }

    fn copied(&mut self, table: &str, done: u64, total: u64) {
        if self.terminal && self.drawn.elapsed() >= Duration::from_millis(100) {
            let percent = (done * 100).checked_div(total).unwrap_or(100);
            eprint!("\r\x1b[2K{table}: {done} of {total} rows ({percent} %)");
            self.drawn = Instant::now();
        }
    }

    fn finished(&mut self, table: &str, done: u64, total: u64) {
        if self.terminal {
            eprint!("\r\x1b[2K");
        }
        let resumed = if self.held > 0 { format!(", {} of them copied before", self.held) } else { String::new() };
        let seconds = self.started.elapsed().as_secs_f64();
        eprintln!("{table}: {done} of {total} rows in the target{resumed} ({seconds:.1} s)");
    }

    fn comparing(&mut self) {
        eprintln!("comparing both sides row by row");
    }
}
