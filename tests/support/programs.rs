//! Outside programs and data a test needs (openssl, b3sum, chromium, libfaketime, sample
//! images): missing, a failure in CI (`CI` set), else a skip that says exactly what to install.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A test that cannot run here because `why`: a failure in CI (`CI` set), else a skip that
/// says so.
pub fn cannot_run(why: &str) {
    assert!(std::env::var_os("CI").is_none(), "this test must run in CI: {why}");
    eprintln!("SKIPPED: {why}");
}

/// Whether an outside program can be run (the skip rule of [`cannot_run`]).
pub fn have_program(program: &str, install: &str) -> bool {
    let found = Command::new(program).arg("version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    if !found {
        cannot_run(&format!("{program} is not installed; {install}"));
    }
    found
}

/// Whether the `openssl` command can be run (the skip rule of [`cannot_run`]).
pub fn have_openssl() -> bool {
    have_program("openssl", "install it with `apt-get install openssl`")
}

/// Whether `VERIFY.txt` can run here: `b3sum` and `openssl` (the skip rule of
/// [`cannot_run`]).
pub fn can_run_verify_txt() -> bool {
    // Both are asked, so that a skip names everything missing.
    let b3sum = have_program("b3sum", "install it with `apt-get install b3sum`");
    let openssl = have_openssl();
    b3sum && openssl
}

/// Debian's headless chromium, which the browser flows drive.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The directory of the browser flows (tests/browser), when chromium, Node.js and
/// playwright-core are installed; else `None` after [`cannot_run`] says what to install.
pub fn browser_flows() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let missing = if !Path::new(CHROMIUM).exists() {
        Some("chromium is not installed: apt-get install chromium")
    } else if Command::new("node").arg("--version").output().is_err() {
        Some("Node.js is not installed: apt-get install nodejs npm")
    } else if !dir.join("node_modules/playwright-core").exists() {
        Some("playwright-core is not installed: npm ci --prefix tests/browser")
    } else {
        None
    };
    match missing {
        Some(why) => {
            cannot_run(why);
            None
        }
        None => Some(dir),
    }
}

/// libfaketime's preload library, when installed; else `None` after [`cannot_run`].
pub fn libfaketime() -> Option<&'static str> {
    const LIB: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
    if Path::new(LIB).exists() {
        return Some(LIB);
    }
    cannot_run("libfaketime is not installed; apt-get install faketime");
    None
}

/// Whether the certificate PDF can be checked here: poppler's `pdftotext`, `pdfsig` and
/// `pdftoppm`, NSS's `certutil` and the Noto CJK font (the skip rule of [`cannot_run`]).
pub fn can_check_pdfs() -> bool {
    let poppler = "install it with `apt-get install poppler-utils`";
    let found = [
        have_program("pdftotext", poppler),
        have_program("pdfsig", poppler),
        have_program("pdftoppm", poppler),
        have_program("certutil", "install it with `apt-get install libnss3-tools`"),
    ];
    let font = Path::new(notarium::config::DEFAULT_FONT).exists();
    if !font {
        cannot_run("the Noto CJK font is not installed; apt-get install fonts-noto-cjk");
    }
    found.iter().all(|f| *f) && font
}
