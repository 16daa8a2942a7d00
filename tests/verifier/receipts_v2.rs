//! Receipt v2 (docs/formats.md §10): the leaf v2 and its metadata keyed with `meta_salt`, checked
//! by the verifier, `notarium verify` and the zip's `VERIFY.txt`; what makes one unusable; and
//! the reserved members of later parts of v2.

use std::path::Path;

use notarium::bundle::{read_receipt, write_receipt_zip};
use notarium::domain::canonical::canonical_json;
use notarium::domain::{Metadata, Receipt, ReceiptError, Salt};
use serde_json::{Value, json};

use crate::fixtures::*;
use crate::support::bundle::*;
use crate::support::process;
use crate::support::programs::can_run_verify_txt;

fn witnesses() -> [TestWitness; 2] {
    [TestWitness::court(), TestWitness::notary()]
}

fn metadata() -> Metadata {
    serde_json::from_value(json!({"patient": "secret", "title": "contract 42", "file": {"name": "c.pdf"}})).unwrap()
}

/// The receipt's JSON with `edit` applied, parsed again.
fn edited(r: &Receipt, edit: impl Fn(&mut Value)) -> Result<Receipt, ReceiptError> {
    let mut v = serde_json::to_value(r).unwrap();
    edit(&mut v);
    Receipt::from_json(&serde_json::to_vec(&v).unwrap())
}

#[test]
fn a_v2_receipt_verifies_with_without_and_undisclosed_metadata() {
    let with = receipt_v2(Some(metadata()), &witnesses());
    assert_eq!(with.format, "notarium-receipt/v2");
    assert!(with.leaf().text().starts_with("notarium/leaf/v2\n"));
    let report = check(&with, Some(CONTENT));
    assert!(report.valid, "{report:#?}");
    assert!(report.checks[1].detail.contains("disclosed metadata"), "{:?}", report.checks[1]);

    // A record registered without metadata: meta_salt still disclosed, checked against `{}`.
    let none = receipt_v2(None, &witnesses());
    let report = check(&none, Some(CONTENT));
    assert!(report.valid, "{report:#?}");
    assert!(!report.does_not_prove.iter().any(|s| s.to_string().contains("not disclosed")));

    // ?disclose=none: neither metadata nor meta_salt; the leaf still rebuilds.
    let mut hidden = with.clone();
    hidden.evidence.metadata = None;
    hidden.evidence.meta_salt = None;
    let report = check(&hidden, Some(CONTENT));
    assert!(report.valid, "{report:#?}");
    assert!(report.does_not_prove.iter().any(|s| s.to_string().contains("not disclosed")));
    // And it reads back from its JSON as it was written.
    assert_eq!(Receipt::from_json(hidden.to_json_pretty().as_bytes()).unwrap(), hidden);
}

#[test]
fn a_tampered_meta_salt_or_metadata_fails_the_metadata_check() {
    for r in [receipt_v2(Some(metadata()), &witnesses()), receipt_v2(None, &witnesses())] {
        let mut salt = r.clone();
        let mut bytes = *salt.evidence.meta_salt.unwrap().as_bytes();
        bytes[0] ^= 1;
        salt.evidence.meta_salt = Some(Salt(bytes));
        let report = check(&salt, None);
        assert_refused_by(&report, &["leaf_hash"]);
        assert!(report.checks[1].detail.contains("keyed with meta_salt"), "{:?}", report.checks[1]);
    }
    let mut changed = receipt_v2(Some(metadata()), &witnesses());
    changed.evidence.metadata.as_mut().unwrap().insert("patient".into(), json!("someone else"));
    assert_refused_by(&check(&changed, None), &["leaf_hash"]);

    // A v2 receipt rebuilds a v2 leaf: relabelled v1, the same fields no longer match.
    let mut relabelled = receipt_v2(None, &witnesses());
    relabelled.format = "notarium-receipt/v1".into();
    relabelled.evidence.meta_salt = None;
    assert_refused_by(&check(&relabelled, None), &["leaf_hash"]);
}

#[test]
fn unusable_v2_receipts_and_reserved_members_are_refused() {
    let r = receipt_v2(Some(metadata()), &witnesses());
    let err = edited(&r, |v| v["evidence"].as_object_mut().unwrap().remove("meta_salt").map(drop).unwrap());
    assert!(matches!(err, Err(ReceiptError::MetaSalt(_))), "{err:?}");
    let v1 = good_receipt();
    let err = edited(&v1, |v| v["evidence"]["meta_salt"] = json!("11".repeat(32)));
    assert!(matches!(err, Err(ReceiptError::MetaSalt(_))), "{err:?}");
    let err = edited(&r, |v| v["evidence"]["meta_salt"] = json!("AB".repeat(32)));
    assert!(matches!(err, Err(ReceiptError::Json(_))), "uppercase hex: {err:?}");
    let err = edited(&r, |v| v["format"] = json!("notarium-receipt/v3"));
    assert!(matches!(err, Err(ReceiptError::Format(_))), "{err:?}");
    for member in ["image", "timestamp"] {
        let err = edited(&r, |v| v[member] = json!({}));
        let Err(ReceiptError::Reserved(name)) = err else { panic!("{member}: {err:?}") };
        assert_eq!(name, member);
    }
}

#[test]
fn notarium_verify_reads_v2_and_exits_2_on_a_reserved_member() {
    let dir = tempfile::tempdir().unwrap();
    let ca = certs_dir().join("ca.pem");
    let run = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let args = [path.as_os_str(), "--trust".as_ref(), ca.as_os_str()];
        process::notarium().arg("verify").args(args).env_remove("NOTARIUM_DATA").output().unwrap()
    };
    let r = receipt_v2(Some(metadata()), &witnesses());
    let o = run("v2.json", r.to_json_pretty().as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    assert_eq!(run("v2.zip", &write_receipt_zip(&r).unwrap()).status.code(), Some(0));
    assert_eq!(run("v1.json", good_receipt().to_json_pretty().as_bytes()).status.code(), Some(0));

    let mut v = serde_json::to_value(&r).unwrap();
    v["timestamp"] = json!({"token": ""});
    let o = run("reserved.json", &serde_json::to_vec(&v).unwrap());
    assert_eq!(o.status.code(), Some(2), "{}", shown(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("a newer verifier defines"), "{}", shown(&o));
}

#[test]
fn a_v2_zip_holds_the_canonical_metadata_and_verify_txt_checks_its_keyed_hash() {
    let r = receipt_v2(Some(metadata()), &witnesses());
    let zip = write_receipt_zip(&r).unwrap();
    assert_eq!(read_receipt(&zip).unwrap(), r);
    let mut expected: Vec<String> = BUNDLE_ENTRIES_V2.iter().map(|e| e.to_string()).collect();
    expected.insert(3, "metadata.json".into());
    assert_eq!(zip_entry_names(&zip), expected);

    // Undisclosed, or without metadata, there is no metadata.json.
    let mut hidden = r.clone();
    hidden.evidence.metadata = None;
    hidden.evidence.meta_salt = None;
    assert_eq!(zip_entry_names(&write_receipt_zip(&hidden).unwrap()), BUNDLE_ENTRIES_V2);
    assert_eq!(zip_entry_names(&write_receipt_zip(&receipt_v2(None, &witnesses())).unwrap()), BUNDLE_ENTRIES_V2);

    if !can_run_verify_txt() {
        return;
    }
    // VERIFY.txt of a v2 zip runs verify.sh, with the court's anchors per role.
    let unzipped = |zip: &[u8]| {
        let dir = tempfile::tempdir().unwrap();
        unzip_into(zip, dir.path());
        for anchor in ["court-ca.pem", "notary-ca.pem"] {
            std::fs::copy(certs_dir().join("ca.pem"), dir.path().join(anchor)).unwrap();
        }
        std::fs::write(dir.path().join("c.pdf"), CONTENT).unwrap();
        dir
    };
    let dir = unzipped(&zip);
    let metadata_json = std::fs::read(dir.path().join("metadata.json")).unwrap();
    assert_eq!(metadata_json, canonical_json(&Value::Object(metadata())));
    let out = run_verify_txt(dir.path(), &["c.pdf"]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("metadata: OK"), "{}", shown(&out));

    let dir = unzipped(&zip);
    let edit = |p: &Path| std::fs::write(p, b"{\"patient\":\"guess\",\"title\":\"contract 42\"}").unwrap();
    edit(&dir.path().join("metadata.json"));
    let out = run_verify_txt(dir.path(), &["c.pdf"]);
    assert!(!out.status.success(), "{}", shown(&out));
    assert!(shown(&out).contains("metadata: FAILED"), "{}", shown(&out));
}
