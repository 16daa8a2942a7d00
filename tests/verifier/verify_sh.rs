//! `verify.sh` of a v2 zip, without the service, on receipts signed with the committed test
//! PKI (certs/): its verdict equals `notarium verify`'s for the witness certificates that
//! docs/formats.md §8 refuses (two OUs, a merchant OU, expired at signing, an untrusted CA,
//! the court's key in a notary certificate written compressed, a single witness), an
//! intermediate CA accepted as a role's anchor; and whatever the bundle's files or the file
//! name hold, nothing of it is ever run.

use std::path::Path;

use notarium::bundle::write_receipt_zip;
use notarium::domain::{Metadata, Role};
use serde_json::json;

use crate::fixtures::*;
use crate::support::bundle::{Anchors, assert_verdicts, run_verify_sh, shown, unzip_into};
use crate::support::programs::can_run_verify_txt;

fn metadata() -> Metadata {
    serde_json::from_value(json!({"title": "Lease $(touch PWNED)", "file": {"name": "`touch PWNED`.pdf"}})).unwrap()
}

fn root_anchors() -> Anchors {
    Anchors { court: certs_dir().join("ca.pem"), notary: certs_dir().join("ca.pem") }
}

#[test]
fn verify_sh_and_notarium_verify_agree_on_the_committed_test_pkis_witnesses() {
    if !can_run_verify_txt() {
        return;
    }
    let court = || TestWitness::court();
    let notary = || TestWitness::notary();
    let as_court = |cert: &str, key: &str| TestWitness::from_certs("court", Role::Court, cert, key, &[]);
    let as_notary = |cert: &str, key: &str| TestWitness::from_certs("notary", Role::Notary, cert, key, &[]);
    let cases: Vec<(&str, Vec<TestWitness>, bool)> = vec![
        ("a court and a notary through its intermediate", vec![court(), notary()], true),
        ("a court certificate with two OUs", vec![as_court("two-ou", "two-ou"), notary()], false),
        ("a merchant certificate as court", vec![as_court("merchant", "merchant"), notary()], false),
        ("a court certificate expired at signing", vec![as_court("expired-court", "expired-court"), notary()], false),
        ("a court of an untrusted CA", vec![as_court("untrusted-court", "untrusted-court"), notary()], false),
        (
            "the court's key as notary, compressed",
            vec![court(), as_notary("notary-samekey-compressed", "court")],
            false,
        ),
        ("a court alone", vec![court()], false),
    ];
    for (what, witnesses, valid) in cases {
        let zip = write_receipt_zip(&receipt_v2(Some(metadata()), &witnesses)).unwrap();
        assert_verdicts(what, &zip, CONTENT, &root_anchors(), valid);
    }
    // An intermediate CA as the notary's anchor: notarium verify accepts it, and so does
    // verify.sh (openssl -partial_chain).
    let zip = write_receipt_zip(&receipt_v2(None, &[court(), notary()])).unwrap();
    let anchors = Anchors { court: certs_dir().join("ca.pem"), notary: certs_dir().join("notary-ca.pem") };
    assert_verdicts("the notary's intermediate as its anchor", &zip, CONTENT, &anchors, true);
}

/// A bundle of a valid receipt unzipped into `dir` with its anchors.
fn unzipped_into(dir: &Path) {
    let zip = write_receipt_zip(&receipt_v2(Some(metadata()), &[TestWitness::court(), TestWitness::notary()])).unwrap();
    unzip_into(&zip, dir);
    for anchor in ["court-ca.pem", "notary-ca.pem"] {
        std::fs::copy(certs_dir().join("ca.pem"), dir.join(anchor)).unwrap();
    }
}

fn replace_line(path: &Path, starts: &str, with: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<String> =
        text.lines().map(|l| if l.starts_with(starts) { with.to_owned() } else { l.to_owned() }).collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn verify_sh_runs_nothing_it_reads_and_refuses_what_is_not_of_its_shape() {
    if !can_run_verify_txt() {
        return;
    }
    type Hostile = (&'static str, fn(&Path), &'static str);
    let hostile: [Hostile; 6] = [
        (
            "a .p7s named as a command",
            |d| std::fs::write(d.join("$(touch PWNED).p7s"), b"x").unwrap(),
            "co-signature: FAILED",
        ),
        (
            "a .p7s named as an option",
            |d| std::fs::copy(d.join("court.p7s"), d.join("-rf.p7s")).map(drop).unwrap(),
            "co-signature: FAILED",
        ),
        (
            "a sibling that is a command",
            |d| replace_line(&d.join("proof.txt"), "sibling", "sibling R $(touch PWNED)"),
            "proof.txt is a proof: FAILED",
        ),
        (
            "an index that is arithmetic",
            |d| replace_line(&d.join("proof.txt"), "index", "index 3+PWNED"),
            "proof.txt is a proof: FAILED",
        ),
        (
            "a content line that is a command",
            |d| replace_line(&d.join("leaf.txt"), "content", "content `touch PWNED`"),
            "leaf.txt is a leaf: FAILED",
        ),
        (
            "an uppercase hash",
            |d| replace_line(&d.join("header.txt"), "root", &format!("root {}", "A".repeat(64))),
            "header.txt is a block header: FAILED",
        ),
    ];
    let genuine = tempfile::tempdir().unwrap();
    unzipped_into(genuine.path());
    let file = genuine.path().join("$(touch PWNED) original");
    std::fs::write(&file, CONTENT).unwrap();
    let out = run_verify_sh(genuine.path(), Some(&file));
    assert!(out.status.success(), "the metadata and file name are only data: {}", shown(&out));
    for (what, tamper, seen) in hostile {
        let dir = tempfile::tempdir().unwrap();
        unzipped_into(dir.path());
        tamper(dir.path());
        let out = run_verify_sh(dir.path(), Some(&file));
        assert_eq!(out.status.code(), Some(1), "{what}: {}", shown(&out));
        assert!(shown(&out).contains(seen), "{what}: {}", shown(&out));
        assert!(!dir.path().join("PWNED").exists(), "{what}: ran a value");
    }
    assert!(!genuine.path().join("PWNED").exists());
}
