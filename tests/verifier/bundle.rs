//! The receipt zip: read back as the receipt it was written from, the same bytes every time,
//! the entries of docs/formats.md §7, and a `VERIFY.txt` that passes with b3sum, openssl and
//! notarium on a genuine bundle, fails on a tampered one, and never runs the owner's text.

use std::io::Cursor;
use std::path::Path;
use std::sync::LazyLock;

use notarium::bundle::{read_receipt, write_receipt_zip};
use notarium::domain::{Metadata, Receipt};
use proptest::prelude::*;
use serde_json::json;

use crate::fixtures::*;
use crate::support::bundle::*;
use crate::support::programs::can_run_verify_txt;

/// Signing is slow: the property tests vary a receipt signed once.
static SIGNED: LazyLock<Receipt> = LazyLock::new(good_receipt);

/// Metadata with `file.name` = `name`, as the server records an upload.
fn file_named(name: &str) -> Metadata {
    serde_json::from_value(json!({"title": "Lease", "file": {"name": name}})).unwrap()
}

/// A valid receipt for [`CONTENT`] uploaded as `name`.
fn uploaded_as(name: &str) -> Receipt {
    receipt_with_metadata(file_named(name), &[TestWitness::court(), TestWitness::notary()])
}

fn entry(zip: &[u8], name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name(name).unwrap(), &mut bytes).unwrap();
    bytes
}

/// `zip` unzipped into a fresh folder with the test PKI's CA as `ca.pem`.
fn unzipped(zip: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    unzip_into(zip, dir.path());
    std::fs::copy(certs_dir().join("ca.pem"), dir.path().join("ca.pem")).unwrap();
    dir
}

#[test]
fn a_zip_reads_back_as_its_receipt_with_the_entries_of_the_format() {
    let r = good_receipt();
    let zip = write_receipt_zip(&r).unwrap();
    assert_eq!(read_receipt(&zip).unwrap(), r);
    assert_eq!(write_receipt_zip(&r).unwrap(), zip, "the same receipt gives the same bytes");
    assert_eq!(zip_entry_names(&zip), BUNDLE_ENTRIES);
    assert_eq!(entry(&zip, "receipt.json"), r.to_json_pretty().into_bytes());
    assert_eq!(entry(&zip, "header.txt"), r.block.header.as_bytes());
    assert_eq!(entry(&zip, "leaf.txt"), r.leaf().text().as_bytes());
    for c in &r.cosignatures {
        assert_eq!(entry(&zip, &format!("{}.p7s", c.witness)), c.cms);
        assert_eq!(entry(&zip, &format!("chain-{}.pem", c.witness)), c.chain.concat().as_bytes());
    }
    // Fixed entry times: the zip epoch, not the time of writing.
    let mut archive = zip::ZipArchive::new(Cursor::new(&zip[..])).unwrap();
    for i in 0..archive.len() {
        assert_eq!(archive.by_index(i).unwrap().last_modified(), Some(zip::DateTime::default()));
    }
}

#[test]
fn verify_txt_passes_on_a_genuine_bundle_and_fails_on_a_tampered_one() {
    if !can_run_verify_txt() {
        return;
    }
    const NAME: &str = "Lease 2026 (signed) 合同.pdf";
    let zip = write_receipt_zip(&uploaded_as(NAME)).unwrap();
    let genuine = |dir: &Path| std::fs::write(dir.join(NAME), CONTENT).unwrap();

    let dir = unzipped(&zip);
    genuine(dir.path());
    let out = run_verify_txt(dir.path(), &[]);
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("{NAME}: OK")), "{}", shown(&out));
    assert!(stdout.contains("VALID"), "{}", shown(&out));

    let tampered: [Tampering; 5] = [
        ("no ca.pem", |d| std::fs::remove_file(d.join("ca.pem")).unwrap(), "ca.pem: MISSING"),
        ("another original", |d| std::fs::write(d.join(NAME), b"other").unwrap(), ".pdf: FAILED"),
        ("a byte of header.txt", |d| flip_near_end(&d.join("header.txt")), "header.txt: FAILED"),
        ("a byte of leaf.txt", |d| flip_byte(&d.join("leaf.txt"), 30), "leaf.txt: FAILED"),
        ("a byte of notary.p7s", |d| flip_near_end(&d.join("notary.p7s")), "CMS Verification failure"),
    ];
    for (what, tamper, seen) in tampered {
        let dir = unzipped(&zip);
        genuine(dir.path());
        tamper(dir.path());
        let out = run_verify_txt(dir.path(), &[]);
        assert!(!out.status.success(), "{what}: {}", shown(&out));
        assert!(shown(&out).contains(seen), "{what}: {}", shown(&out));
        assert!(!String::from_utf8_lossy(&out.stdout).contains("VALID"), "{what}: stops before notarium verify");
    }
}

#[test]
fn the_owners_file_name_never_becomes_a_command() {
    if !can_run_verify_txt() {
        return;
    }
    for name in ["$(touch pwned)", "'; touch pwned; '", "x\ntouch pwned", "`touch pwned`", "-rf", "a\\b"] {
        let zip = write_receipt_zip(&uploaded_as(name)).unwrap();
        let dir = unzipped(&zip);
        std::fs::write(dir.path().join("original-file"), CONTENT).unwrap();
        let out = run_verify_txt(dir.path(), &[]);
        assert!(out.status.success(), "{name:?}: {}", shown(&out));
        assert!(!dir.path().join("pwned").exists(), "{name:?}");
        let text = String::from_utf8(entry(&zip, "VERIFY.txt")).unwrap();
        assert!(!text.contains(name), "{name:?} is written nowhere in VERIFY.txt");
    }
}

#[test]
fn the_original_file_may_be_given_as_the_first_argument() {
    if !can_run_verify_txt() {
        return;
    }
    let zip = write_receipt_zip(&SIGNED).unwrap();
    let dir = unzipped(&zip);
    let elsewhere = tempfile::tempdir().unwrap();
    let original = elsewhere.path().join("my copy.pdf");
    std::fs::write(&original, CONTENT).unwrap();
    let out = run_verify_txt(dir.path(), &[original.to_str().unwrap()]);
    assert!(out.status.success(), "{}", shown(&out));
    std::fs::write(&original, b"not the registered content").unwrap();
    assert!(!run_verify_txt(dir.path(), &[original.to_str().unwrap()]).status.success());
}

/// The command lines VERIFY.txt may hold; everything else is a `#` line or blank.
const COMMANDS: [&str; 8] = [
    "test -f ca.pem && ",
    "ORIGINAL=${1:-'",
    "printf '%s  %s\\n' ",
    "grep -qx 'content ",
    "test \"$( { printf '\\000'; cat leaf.txt; } | b3sum --no-names )\" = ",
    "openssl x509 -in 'chain-",
    "openssl cms -verify -binary -inform DER -in '",
    "notarium verify receipt.json --trust ca.pem --file \"$ORIGINAL\"",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_disclosure_round_trips_and_keeps_verify_txt_to_its_commands(
        name in prop_oneof!["\\PC{0,40}", any::<String>(), "[a-zA-Z0-9 ._-]{1,20}"],
        disclose in any::<bool>(),
    ) {
        // Only the shape matters here, not validity: the metadata need not match meta_hash.
        let mut r = SIGNED.clone();
        r.evidence.metadata = disclose.then(|| file_named(&name));
        let zip = write_receipt_zip(&r).unwrap();
        prop_assert_eq!(read_receipt(&zip).unwrap(), r);
        let text = String::from_utf8(entry(&zip, "VERIFY.txt")).unwrap();
        for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            prop_assert!(COMMANDS.iter().any(|c| line.starts_with(c)), "unexpected line {:?}", line);
            prop_assert!(!line.chars().any(char::is_control), "{:?}", line);
        }
    }
}

fn flip_byte(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at] ^= 1;
    std::fs::write(path, bytes).unwrap();
}

/// Flips the last byte but one: in a header, the sealing time; in a co-signature, the ECDSA
/// signature.
fn flip_near_end(path: &Path) {
    let len = std::fs::metadata(path).unwrap().len() as usize;
    flip_byte(path, len - 2);
}
