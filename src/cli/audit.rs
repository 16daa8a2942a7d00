//! `notarium audit [--data DIR] [--database-url URL] [--witness URL]...`: recompute every leaf hash, root, block
//! hash and co-signature of the database, beside a running server or not, and compare with what the witnesses last
//! co-signed.

use std::path::PathBuf;
use std::process::ExitCode;

use super::database::DatabaseArgs;
use super::verify::printable;
use crate::audit::{Outcome, audit_data_dir_against};
use crate::domain::quorum::QuorumPolicy;

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// The data directory: its database is opened read-only, its `pki/trust/` holds the anchors
    /// the co-signatures must chain to.
    #[arg(long, env = "NOTARIUM_DATA", default_value_os_t = super::default_data_dir())]
    data: PathBuf,
    /// The quorum every anchored block must still meet: the service's `quorum` setting, e.g.
    /// `court=1,notary=1,distinct_keys=2` (the default).
    #[arg(long, default_value_t = QuorumPolicy::default())]
    quorum: QuorumPolicy,
    /// A witness's base URL (repeatable): after the database, compare with what each witness
    /// last co-signed (`GET /witness/v1/head`): a block it co-signed that the database lacks
    /// is a rollback, one with another hash a fork (exit 1); a witness that does not answer: 2.
    #[arg(long = "witness", value_name = "URL")]
    witnesses: Vec<String>,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// Exit 0 consistent (with a summary), 1 inconsistent (naming the first inconsistency),
/// 2 unusable (no database, no trust anchor, a database that cannot be read).
pub fn run(args: &AuditArgs) -> ExitCode {
    let outcome =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(anyhow::Error::from).and_then(
            |runtime| {
                let database = args.database.database(&args.data)?;
                runtime.block_on(audit_data_dir_against(&args.data, &database, args.quorum, &args.witnesses))
            },
        );
    match outcome {
        Ok(outcome) => {
            print!("{}", report(&outcome));
            if outcome.inconsistency.is_none() && !args.witnesses.is_empty() {
                println!("the database holds what each of the {} witnesses last co-signed", args.witnesses.len());
            }
            ExitCode::from(if outcome.inconsistency.is_some() { 1 } else { 0 })
        }
        Err(e) => {
            eprintln!("notarium audit: {}", printable(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

pub(super) fn report(outcome: &Outcome) -> String {
    let s = &outcome.summary;
    let heights = match (s.first_height, s.last_height) {
        (Some(first), Some(last)) => format!(" (heights {first} to {last})"),
        _ => String::new(),
    };
    let count = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let checked = format!(
        "{}, {}{heights} and {} checked in {:.2} s",
        count(s.records, "record", "records"),
        count(s.blocks, "block", "blocks"),
        count(s.cosignatures, "co-signature", "co-signatures"),
        s.elapsed_ms as f64 / 1000.0
    );
    match &outcome.inconsistency {
        None => format!("consistent: {checked}\n"),
        Some(found) => format!("INCONSISTENT: {}\nconsistent before it: {checked}\n", printable(&found.to_string())),
    }
}
