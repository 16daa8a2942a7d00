//! `notarium verify RECEIPT [--file FILE] [--trust PEM]... [--online URL [--max-headers N]] [--json]`.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::bundle::{MAX_BUNDLE_BYTES, read_receipt};
use crate::crypto::{OpensslChecker, TrustArg, TrustStore};
use crate::domain::verify::{QuorumPolicy, VerifyInput, VerifyReport, verify};
use crate::domain::{Hash, Receipt};
use crate::service::online::{DEFAULT_MAX_HEADERS, HttpSource, OnlineFindings, ask};

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The receipt: `receipt.json` or `receipt.zip`.
    receipt: PathBuf,
    /// The original file, to check that it is exactly the registered content.
    #[arg(long)]
    file: Option<PathBuf>,
    #[command(flatten)]
    anchors: Anchors,
    /// Also ask the service at this URL (e.g. `https://notary.example`) whether it still serves
    /// this block's header, and walk its headers from this block to its newest anchored one.
    #[arg(long, value_name = "URL")]
    online: Option<String>,
    /// With --online: walk at most this many headers after the receipt's block; beyond them the
    /// `online_head` check says "not checked beyond N headers".
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_HEADERS, requires = "online",
        value_parser = clap::value_parser!(u64).range(1..))]
    max_headers: u64,
    /// Print exactly the JSON body of `POST /v1/verify`.
    #[arg(long)]
    json: bool,
}

/// Whom a receipt's co-signatures must come from.
#[derive(clap::Args, Debug)]
pub struct Anchors {
    /// Trust anchors, repeatable: `FILE` (any role) or `court=FILE`, `notary=FILE`,
    /// `court+notary=FILE`; replaces the default `<data>/pki/trust/`.
    #[arg(long = "trust", value_name = "[ROLES=]PEM")]
    trust: Vec<TrustArg>,
    /// The data directory whose `pki/trust/` holds the default anchors.
    #[arg(long, env = "NOTARIUM_DATA", default_value_os_t = super::default_data_dir())]
    data: PathBuf,
    /// The co-signatures required: `court=N,notary=N,distinct_keys=N`.
    #[arg(long, default_value_t = QuorumPolicy::default())]
    quorum: QuorumPolicy,
}

impl Anchors {
    /// Verifies `receipt` (and the file's hash, if given) against these anchors, offline.
    pub fn verify(&self, receipt: &Receipt, file_hash: Option<Hash>) -> anyhow::Result<VerifyReport> {
        self.verify_with(receipt, VerifyInput { file_hash, ..VerifyInput::default() })
    }

    /// Verifies `receipt` with what the verifier was given beyond it.
    fn verify_with(&self, receipt: &Receipt, input: VerifyInput) -> anyhow::Result<VerifyReport> {
        let trust = if self.trust.is_empty() {
            let dir = self.data.join("pki").join("trust");
            let store = TrustStore::from_dir(&dir)?;
            if store.is_empty() {
                bail!("no trust anchor: {} holds no *.pem certificate; name one with --trust CA.pem", dir.display());
            }
            store
        } else {
            TrustStore::from_args(&self.trust)?
        };
        Ok(verify(receipt, &input, &OpensslChecker { trust: &trust }, &self.quorum))
    }
}

/// Exit 0 valid, 1 invalid, 2 unusable input.
pub fn run(args: &VerifyArgs) -> ExitCode {
    match check(args) {
        Ok(report) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report).expect("a report always serialises"));
            } else {
                print!("{}", human(&report));
            }
            ExitCode::from(if report.valid { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("notarium verify: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn check(args: &VerifyArgs) -> anyhow::Result<VerifyReport> {
    let receipt = read_receipt_file(&args.receipt)?;
    let file_hash = args.file.as_deref().map(hash_file).transpose()?;
    let online = args.online.as_deref().map(|url| online(url, &receipt, args.max_headers)).transpose()?;
    let (online_header, online_head) = online.map(|f| (f.header, f.head)).unzip();
    args.anchors.verify_with(&receipt, VerifyInput { file_hash, online_header, online_head })
}

/// Asks the service at `url` (one request at a time, each bounded in time and size).
fn online(url: &str, receipt: &Receipt, max_headers: u64) -> anyhow::Result<OnlineFindings> {
    let source = HttpSource::new(url)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    Ok(runtime.block_on(ask(&source, receipt, max_headers)))
}

/// A receipt (`.json` or `.zip`) from a file of at most [`MAX_BUNDLE_BYTES`].
pub fn read_receipt_file(path: &Path) -> anyhow::Result<Receipt> {
    let bytes = read_bounded(path, MAX_BUNDLE_BYTES)?;
    read_receipt(&bytes).with_context(|| format!("reading {}", path.display()))
}

/// Reads at most `max` bytes; a longer file is refused without being read whole.
pub fn read_bounded(path: &Path, max: usize) -> anyhow::Result<Vec<u8>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1).read_to_end(&mut bytes).with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() > max {
        bail!("{} is larger than {max} bytes: not a receipt", path.display());
    }
    Ok(bytes)
}

fn hash_file(path: &Path) -> anyhow::Result<Hash> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(file).with_context(|| format!("reading {}", path.display()))?;
    Ok(hasher.finalize().into())
}

/// The report for a person: the plain answers, then one line per check, the verdict, what it
/// proves and does not.
fn human(report: &VerifyReport) -> String {
    let mut out = String::new();
    report.summary.iter().for_each(|v| out.push_str(&format!("{}\n", printable(&v.to_string()))));
    out.push_str("\nThe checks:\n");
    for c in &report.checks {
        let mark = match c.ok {
            Some(true) => "ok  ",
            Some(false) => "FAIL",
            None => "n/a ",
        };
        out.push_str(&format!("{mark} {:<22} {}\n", c.name, printable(&c.detail)));
    }
    out.push_str(if report.valid {
        "\nVALID: every applicable check passed.\n"
    } else {
        "\nINVALID: at least one check failed (FAIL above).\n"
    });
    if !report.proves.is_empty() {
        out.push_str("\nWhat this proves:\n");
        report.proves.iter().for_each(|p| out.push_str(&format!("  - {}\n", printable(&p.to_string()))));
    }
    out.push_str("\nWhat this does not prove:\n");
    report.does_not_prove.iter().for_each(|p| out.push_str(&format!("  - {p}\n")));
    out
}

/// Escapes control characters, so that text taken from a receipt or a certificate cannot drive
/// the terminal (clear the screen, print a fake verdict).
pub(super) fn printable(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}
