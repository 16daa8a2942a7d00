//! Outside programs in tests (openssl, b3sum, sh) and the receipt zip as a person uses it:
//! unzipped into a folder, `VERIFY.txt` run there. Shared by the test binaries through
//! `#[path = "../shared/tools.rs"] mod tools;`.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A way of tampering with an unzipped bundle: what is changed, how, and what the failing run of
/// `VERIFY.txt` shows.
pub type Tampering = (&'static str, fn(&Path), &'static str);

/// Whether an outside program can be run. Missing: a failure in CI (`CI` set), else a
/// skip that says what to install.
pub fn have_program(program: &str, install: &str) -> bool {
    let found = Command::new(program)
        .arg("version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    if !found {
        cannot_run(&format!("{program} is not installed; {install}"));
    }
    found
}

/// A test that cannot run here because `why`: a failure in CI (`CI` set), else a skip that
/// says so.
pub fn cannot_run(why: &str) {
    assert!(std::env::var_os("CI").is_none(), "this test must run in CI: {why}");
    eprintln!("SKIPPED: {why}");
}

/// Whether `VERIFY.txt` can run here: `b3sum` and `openssl` (the skip rule of
/// [`have_program`]).
pub fn can_run_verify_txt() -> bool {
    // Both are asked, so that a skip names everything missing.
    let b3sum = have_program("b3sum", "install it with `apt-get install b3sum`");
    let openssl = have_program("openssl", "install it with `apt-get install openssl`");
    b3sum && openssl
}

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
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_notarium")).parent().unwrap().to_owned();
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
