//! A v2 receipt zip checked completely with standard tools: `sh verify.sh FILE` run in a clean
//! folder with only sh, b3sum, openssl and the POSIX utilities on the `PATH` (no `notarium`),
//! whose verdict must equal `notarium verify`'s on genuine receipts (documents, images,
//! invoices, every leaf of a block of 7), forged ones and forged co-signers.

mod forged;
mod genuine;
mod pki;

use std::path::{Path, PathBuf};

use notarium::bundle::{read_receipt, write_receipt_zip};
use notarium::domain::Receipt;

use crate::support::TestApp;
use crate::support::bundle::{run_verify_sh, shown, unzip_into};
use crate::support::process::notarium;

/// The trust anchors a court holds, one per role (the same file where one CA certifies both).
pub struct Anchors {
    pub court: PathBuf,
    pub notary: PathBuf,
}

impl Anchors {
    /// The dev PKI's CA, which certifies both roles.
    pub fn dev(app: &TestApp) -> Self {
        let ca = app.trust_dir().join("ca.pem");
        Self { court: ca.clone(), notary: ca }
    }
}

/// The zip the service serves for `id`, once anchored.
pub async fn served_zip(app: &TestApp, id: &str, key: &str) -> Vec<u8> {
    app.anchored_receipt(id, key).await;
    let res = app.get(&format!("/v1/evidence/{id}/receipt.zip"), Some(key)).await;
    assert_eq!(res.status(), 200, "receipt.zip of {id}");
    res.bytes().await.unwrap().to_vec()
}

/// The receipt in a zip.
pub fn receipt_of(zip: &[u8]) -> Receipt {
    read_receipt(zip).unwrap()
}

/// The zip of a receipt changed by a test, written as the service writes one.
pub fn zip_of(receipt: &Receipt) -> Vec<u8> {
    write_receipt_zip(receipt).unwrap()
}

/// Runs `sh verify.sh FILE` on `zip` unzipped into a clean folder with the anchors placed as
/// `court-ca.pem` and `notary-ca.pem` (the file itself kept outside it), and
/// `notarium verify` with the same anchors per role on the same zip and file. Asserts that
/// both say `valid`, and returns the script's whole output.
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
    let out = notarium()
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

fn trust(role: &str, file: &Path) -> String {
    format!("--trust={role}={}", file.display())
}
