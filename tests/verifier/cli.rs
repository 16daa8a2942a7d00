//! `notarium verify` as a court runs it: exit 0 valid, 1 invalid, 2 unusable input.

use std::io::Write;
use std::path::Path;
use std::process::Output;

use crate::fixtures::*;
use crate::support::process;

fn notarium(args: &[&str], cwd: &Path) -> Output {
    process::notarium().args(args).current_dir(cwd).env_remove("NOTARIUM_DATA").output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }
    fn put(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_owned()
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn ca() -> String {
    certs_dir().join("ca.pem").to_str().unwrap().to_owned()
}

#[test]
fn a_valid_receipt_exits_0_and_names_every_check() {
    let f = Files::new();
    let receipt = f.put("receipt.json", good_receipt().to_json_pretty().as_bytes());
    let file = f.put("contract.pdf", CONTENT);
    let o = notarium(&["verify", &receipt, "--file", &file, "--trust", &ca()], f.path());
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    for name in GOOD_RECEIPT_CHECKS {
        assert!(out.lines().any(|l| l.starts_with("ok") && l.contains(name)), "{name} in\n{out}");
    }
    assert!(out.contains("VALID"), "{out}");
    assert!(out.contains("What this does not prove"), "{out}");

    let without_file = notarium(&["verify", &receipt, "--trust", &ca()], f.path());
    assert_eq!(code(&without_file), 0);
    assert!(stdout(&without_file).lines().any(|l| l.starts_with("n/a") && l.contains("content_hash")));
}

#[test]
fn an_invalid_receipt_or_file_exits_1() {
    let f = Files::new();
    let receipt = f.put("receipt.json", good_receipt().to_json_pretty().as_bytes());
    let other = f.put("other.pdf", b"not the contract");
    let o = notarium(&["verify", &receipt, "--file", &other, "--trust", &ca()], f.path());
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).lines().any(|l| l.starts_with("FAIL") && l.contains("content_hash")));

    let mut r = good_receipt();
    r.cosignatures.pop();
    let receipt = f.put("one-sig.json", r.to_json_pretty().as_bytes());
    assert_eq!(code(&notarium(&["verify", &receipt, "--trust", &ca()], f.path())), 1);

    let untrusted = certs_dir().join("untrusted-ca.pem");
    let good = f.put("good.json", good_receipt().to_json_pretty().as_bytes());
    assert_eq!(code(&notarium(&["verify", &good, "--trust", untrusted.to_str().unwrap()], f.path())), 1);
}

#[test]
fn json_output_is_the_report() {
    let f = Files::new();
    let r = good_receipt();
    let receipt = f.put("receipt.json", r.to_json_pretty().as_bytes());
    let o = notarium(&["verify", &receipt, "--json", "--trust", &ca()], f.path());
    assert_eq!(code(&o), 0);
    let body: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let expected = serde_json::to_value(check(&r, None)).unwrap();
    assert_eq!(body, expected);
    assert_eq!(body["valid"], true);
}

#[test]
fn a_zip_bundle_is_read_like_the_json() {
    let f = Files::new();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("header.txt", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(b"ignored by the verifier\n").unwrap();
    zip.start_file("receipt.json", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(good_receipt().to_json_pretty().as_bytes()).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let bundle = f.put("receipt.zip", &bytes);
    let file = f.put("c.pdf", CONTENT);
    assert_eq!(code(&notarium(&["verify", &bundle, "--file", &file, "--trust", &ca()], f.path())), 0);

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("other.json", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(b"{}").unwrap();
    let empty = f.put("empty.zip", &zip.finish().unwrap().into_inner());
    let o = notarium(&["verify", &empty, "--trust", &ca()], f.path());
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("receipt.json"));
}

#[test]
fn default_anchors_come_from_the_data_directory() {
    let f = Files::new();
    let receipt = f.put("receipt.json", good_receipt().to_json_pretty().as_bytes());
    let o = notarium(&["verify", &receipt], f.path());
    assert_eq!(code(&o), 2, "no ./data/pki/trust: unusable");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no trust anchor"), "{err}");

    let trust = f.path().join("data/pki/trust");
    std::fs::create_dir_all(&trust).unwrap();
    std::fs::copy(certs_dir().join("ca.pem"), trust.join("ca.pem")).unwrap();
    assert_eq!(code(&notarium(&["verify", &receipt], f.path())), 0);
}

#[test]
fn unusable_input_exits_2() {
    let f = Files::new();
    let mut with_extra: serde_json::Value = serde_json::to_value(good_receipt()).unwrap();
    with_extra["evidence"]["note"] = serde_json::json!("unknown field");
    let mut wrong_format = serde_json::to_value(good_receipt()).unwrap();
    wrong_format["format"] = serde_json::json!("notarium-receipt/v2");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"\x00\x01 not json".to_vec()),
        ("empty", Vec::new()),
        ("unknown field", serde_json::to_vec(&with_extra).unwrap()),
        ("other format", serde_json::to_vec(&wrong_format).unwrap()),
        ("truncated zip", b"PK\x03\x04 truncated".to_vec()),
        (
            "duplicate metadata key",
            good_receipt()
                .to_json_pretty()
                .replacen(r#""title": "Contract""#, r#""title": "Contract", "title": "Other""#, 1)
                .into_bytes(),
        ),
    ];
    for (what, bytes) in cases {
        let receipt = f.put("bad.json", &bytes);
        let o = notarium(&["verify", &receipt, "--trust", &ca()], f.path());
        assert_eq!(code(&o), 2, "{what}");
        assert!(!o.stderr.is_empty(), "{what}: says why");
    }
    let good = f.put("good.json", good_receipt().to_json_pretty().as_bytes());
    assert_eq!(code(&notarium(&["verify", "/nonexistent/receipt.json", "--trust", &ca()], f.path())), 2);
    assert_eq!(code(&notarium(&["verify", &good, "--file", "/nonexistent", "--trust", &ca()], f.path())), 2);
    let not_pem = f.put("not.pem", b"hello");
    assert_eq!(code(&notarium(&["verify", &good, "--trust", &not_pem], f.path())), 2);
    // --online needs an http(s) URL; --max-headers needs --online and is at least 1.
    for args in [
        vec!["--online", "ftp://example.org"],
        vec!["--online", "not a url"],
        vec!["--max-headers", "5"],
        vec!["--online", "http://127.0.0.1:9", "--max-headers", "0"],
    ] {
        let o = notarium(&[&["verify", good.as_str(), "--trust", ca().as_str()], args.as_slice()].concat(), f.path());
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(!o.stderr.is_empty(), "{args:?}: says why");
    }
}

#[test]
fn an_unreachable_service_fails_the_online_checks_by_name() {
    let f = Files::new();
    let good = f.put("good.json", good_receipt().to_json_pretty().as_bytes());
    // A port that was free a moment ago: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let o = notarium(&["verify", &good, "--trust", &ca(), "--online", &url], f.path());
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.lines().any(|l| l.starts_with("FAIL") && l.contains("online_header")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("FAIL") && l.contains("online_head ")), "{out}");
    assert!(out.contains("The service could not be asked"), "{out}");
    assert!(out.lines().nth(1).is_some_and(|l| l.starts_with("The receipt is valid")), "{out}");
}

#[test]
fn audit_without_a_database_exits_2_and_creates_none() {
    let f = Files::new();
    let o = notarium(&["audit"], f.path());
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("no database at ./data/notarium.db"), "{o:?}");
    assert!(!f.path().join("data").exists());
}

#[test]
fn a_zip_with_two_receipts_of_one_name_is_refused() {
    let f = Files::new();
    let mut altered = good_receipt();
    altered.evidence.metadata.as_mut().unwrap().insert("title".into(), serde_json::json!("Altered"));
    let build = |comment: Option<Vec<u8>>| {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("receipt.json", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(altered.to_json_pretty().as_bytes()).unwrap();
        zip.start_file("receipt.jsoX", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(good_receipt().to_json_pretty().as_bytes()).unwrap();
        if let Some(c) = comment {
            zip.set_raw_comment(c.into_boxed_slice()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    };
    // Also with a decoy end-of-central-directory record in the archive comment that declares
    // one entry (disk 1: readers skip it and use the real one).
    let mut decoy = b"PK\x05\x06\x01\x00\x00\x00\x01\x00\x01\x00".to_vec();
    decoy.extend_from_slice(&[0; 10]);
    let (plain, with_decoy) = (build(None), build(Some(decoy)));
    for (name, mut bytes) in [("two.zip", plain), ("decoy.zip", with_decoy)] {
        // Rename the second entry in its local header and in the central directory.
        let (from, to) = (b"receipt.jsoX", b"receipt.json");
        let at: Vec<usize> = bytes.windows(from.len()).enumerate().filter(|(_, w)| w == from).map(|(i, _)| i).collect();
        assert_eq!(at.len(), 2);
        at.iter().for_each(|&i| bytes[i..i + to.len()].copy_from_slice(to));
        let bundle = f.put(name, &bytes);
        let o = notarium(&["verify", &bundle, "--trust", &ca()], f.path());
        assert_eq!(code(&o), 2, "{name}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains("two entries of one name"), "{name}: {stderr}");
    }
}

#[test]
fn an_oversized_receipt_file_is_refused_unread() {
    let f = Files::new();
    let big = f.put("big.json", b"");
    std::fs::OpenOptions::new().write(true).open(&big).unwrap().set_len(200 << 20).unwrap();
    let o = notarium(&["verify", &big, "--trust", &ca()], f.path());
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("larger than"));
}

#[test]
fn control_characters_from_a_certificate_never_reach_the_terminal() {
    let f = Files::new();
    let ca_pair = notarium::crypto::devpki::KeyPair { key: key("ca"), cert: cert("ca") };
    let evil =
        notarium::crypto::devpki::issue_witness(&ca_pair, "Evil\u{1b}[2J\u{1b}[32mVALID", "court", 30, None).unwrap();
    let w = TestWitness {
        name: "court",
        role: notarium::domain::Role::Court,
        key: evil.key,
        cert: evil.cert,
        intermediates: vec![],
    };
    let receipt = f.put("r.json", receipt_signed_by(&[w, TestWitness::notary()]).to_json_pretty().as_bytes());
    let o = notarium(&["verify", &receipt, "--trust", &ca()], f.path());
    assert_eq!(code(&o), 0);
    assert!(!o.stdout.contains(&0x1b), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(stdout(&o).contains("Evil\\u{1b}[2J"), "{}", stdout(&o));
}
