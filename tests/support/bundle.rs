//! The receipt zip as a person uses it: unzipped into a folder, `VERIFY.txt` run there with
//! the outside programs it calls (b3sum, openssl) and the `notarium` binary under test.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A way of tampering with an unzipped bundle: what is changed, how, and what the failing run of
/// `VERIFY.txt` shows.
pub type Tampering = (&'static str, fn(&Path), &'static str);

/// The entries of a receipt zip co-signed by a court and a notary witness, in order.
pub const BUNDLE_ENTRIES: [&str; 8] = [
    "receipt.json",
    "header.txt",
    "leaf.txt",
    "court.p7s",
    "chain-court.pem",
    "notary.p7s",
    "chain-notary.pem",
    "VERIFY.txt",
];

/// The names of the entries of a zip, in their order.
pub fn zip_entry_names(zip: &[u8]) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len()).map(|i| archive.by_index(i).unwrap().name().unwrap().into_owned()).collect()
}

/// Extracts every entry of `zip` into `dir` (which must exist).
pub fn unzip_into(zip: &[u8], dir: &Path) {
    zip::ZipArchive::new(Cursor::new(zip)).unwrap().extract(dir).unwrap();
}

/// Runs `sh -e VERIFY.txt ARGS...` in `dir`, with the `notarium` binary under test first on
/// `PATH`.
pub fn run_verify_txt(dir: &Path, args: &[&str]) -> Output {
    let bin_dir = Path::new(crate::support::process::BINARY).parent().unwrap().to_owned();
    let mut path: Vec<PathBuf> = vec![bin_dir];
    path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    Command::new("sh")
        .arg("-e")
        .arg("VERIFY.txt")
        .args(args)
        .current_dir(dir)
        .env("PATH", std::env::join_paths(path).unwrap())
        .output()
        .unwrap()
}

/// The whole output of a run, for assertion messages.
pub fn shown(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
