//! The receipt zip as a person uses it: unzipped into a folder, `VERIFY.txt` run there with
//! the outside programs it calls (b3sum, openssl) and the `notarium` binary under test, or a
//! v2 zip's `verify.sh` run with standard tools only, `notarium` off the `PATH`.

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

/// The entries of a v2 receipt zip co-signed by a court and a notary witness, in order, for
/// a receipt that discloses no metadata (with metadata, `metadata.json` follows `leaf.txt`).
pub const BUNDLE_ENTRIES_V2: [&str; 10] = [
    "receipt.json",
    "header.txt",
    "leaf.txt",
    "proof.txt",
    "court.p7s",
    "chain-court.pem",
    "notary.p7s",
    "chain-notary.pem",
    "verify.sh",
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

/// The programs `verify.sh` calls: the shell, b3sum, openssl and the POSIX utilities.
const STANDARD_TOOLS: [&str; 14] =
    ["sh", "b3sum", "openssl", "awk", "sed", "grep", "cut", "tr", "wc", "sort", "mktemp", "rm", "cat", "head"];

/// A `PATH` of only the directories that hold [`STANDARD_TOOLS`]; none holds `notarium`.
pub fn standard_tools_path() -> std::ffi::OsString {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for tool in STANDARD_TOOLS {
        let dir = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .find(|d| d.join(tool).is_file())
            .unwrap_or_else(|| panic!("{tool} is not on the PATH"));
        assert!(!dir.join("notarium").exists(), "{} holds a notarium program", dir.display());
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    std::env::join_paths(dirs).unwrap()
}

/// Runs `sh verify.sh [FILE]` in `dir` with a clean environment whose `PATH` is
/// [`standard_tools_path`]: no `notarium`.
pub fn run_verify_sh(dir: &Path, file: Option<&Path>) -> Output {
    Command::new("sh")
        .arg("verify.sh")
        .args(file)
        .current_dir(dir)
        .env_clear()
        .env("PATH", standard_tools_path())
        .output()
        .unwrap()
}

/// The bytes of the entry `name` of a zip.
pub fn zip_entry(zip: &[u8], name: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut zip::ZipArchive::new(Cursor::new(zip)).unwrap().by_name(name).unwrap(), &mut bytes)
        .unwrap();
    bytes
}

/// The trust anchors a court holds, one per role (the same file where one CA certifies both).
pub struct Anchors {
    pub court: PathBuf,
    pub notary: PathBuf,
}

/// Runs `sh verify.sh FILE` on `zip` unzipped into a clean folder with the anchors placed as
/// `court-ca.pem` and `notary-ca.pem` (the file itself kept outside it), and
/// `notarium verify` with the same anchors per role on the same zip and file. Asserts that
/// both say `valid` (exit 0) or both say invalid (exit 1), and returns the script's output.
pub fn assert_verdicts(what: &str, zip: &[u8], file: &[u8], anchors: &Anchors, valid: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("receipt");
    std::fs::create_dir(&folder).unwrap();
    unzip_into(zip, &folder);
    std::fs::copy(&anchors.court, folder.join("court-ca.pem")).unwrap();
    std::fs::copy(&anchors.notary, folder.join("notary-ca.pem")).unwrap();
    let original = dir.path().join("original");
    std::fs::write(&original, file).unwrap();
    let zip_path = dir.path().join("receipt.zip");
    std::fs::write(&zip_path, zip).unwrap();

    let script = run_verify_sh(&folder, Some(&original));
    let trust = |role: &str, file: &Path| format!("--trust={role}={}", file.display());
    let out = crate::support::process::notarium()
        .arg("verify")
        .arg(&zip_path)
        .arg(trust("court", &anchors.court))
        .arg(trust("notary", &anchors.notary))
        .arg("--file")
        .arg(&original)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    let expected = if valid { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(expected), "{what}: notarium verify\n{report}");
    assert_eq!(script.status.code(), Some(expected), "{what}: verify.sh\n{}\nnotarium:\n{report}", shown(&script));
    let text = shown(&script);
    let result = if valid { "RESULT: VALID." } else { "RESULT: INVALID" };
    assert!(text.contains(result), "{what}: {text}");
    assert!(text.contains("notarium verify: SKIPPED"), "{what}: notarium is not on the script's PATH\n{text}");
    text
}
