//! `GET /v1/evidence/{id}/receipt.zip`: downloaded, unzipped and checked as a court would,
//! by running its `VERIFY.txt`, which in a v2 zip runs `verify.sh` (b3sum, openssl, and
//! notarium when installed), genuine and tampered; owner only; `202` until anchored, like the
//! JSON route. tests/api/verify_sh compares `verify.sh` without notarium with notarium verify.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::Duration;

use notarium::bundle::read_receipt;
use notarium::domain::{Hash, TenantRole};

use crate::support::bundle::{
    BUNDLE_ENTRIES_V2 as ENTRIES, Tampering, run_verify_txt, shown, unzip_into, zip_entry_names,
};
use crate::support::process::notarium;
use crate::support::programs::can_run_verify_txt;
use crate::support::{Evidence, Status, TestApp, expect, external_witnesses, problem};

/// The zip of `id` once anchored: polls with `?wait=` (and `query`) until a deadline, and checks
/// the headers of the `200`.
async fn anchored_zip(app: &TestApp, id: &str, key: &str, query: &str) -> Vec<u8> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let res = app.get(&format!("/v1/evidence/{id}/receipt.zip?wait=5{query}"), Some(key)).await;
        match res.status().as_u16() {
            200 => {
                let header = |name: &str| res.headers().get(name).unwrap().to_str().unwrap().to_owned();
                assert_eq!(header("content-type"), "application/zip");
                assert_eq!(header("content-disposition"), format!("attachment; filename=\"receipt-{id}.zip\""));
                return res.bytes().await.unwrap().to_vec();
            }
            202 => assert!(tokio::time::Instant::now() < deadline, "not anchored within 30 s"),
            other => panic!("receipt.zip: {other} {}", res.text().await.unwrap()),
        }
    }
}

/// The bundle unzipped into a fresh folder, with the service's trust anchor placed as
/// `court-ca.pem` and `notary-ca.pem` (what a court gets from the witness operators; here the
/// dev PKI's CA, which certifies both roles).
fn unzipped(app: &TestApp, zip: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    unzip_into(zip, dir.path());
    for anchor in ["court-ca.pem", "notary-ca.pem"] {
        std::fs::copy(app.trust_dir().join("ca.pem"), dir.path().join(anchor)).unwrap();
    }
    dir
}

fn flip_byte(path: &Path, from_end: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes.len() - from_end;
    bytes[at] ^= 1;
    std::fs::write(path, bytes).unwrap();
}

/// `notarium verify <zip> --trust ca.pem [--file FILE]`: its exit code.
fn notarium_verify(app: &TestApp, zip: &[u8], file: Option<&[u8]>) -> Option<i32> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("receipt.zip"), zip).unwrap();
    let mut cmd = notarium();
    cmd.arg("verify").arg(dir.path().join("receipt.zip")).arg("--trust").arg(app.trust_dir().join("ca.pem"));
    if let Some(file) = file {
        std::fs::write(dir.path().join("original"), file).unwrap();
        cmd.arg("--file").arg(dir.path().join("original"));
    }
    cmd.output().unwrap().status.code()
}

#[actix_web::test]
async fn an_uploaded_files_zip_passes_its_own_verify_txt_and_a_tampered_one_fails() {
    if !can_run_verify_txt() {
        return;
    }
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let content: Vec<u8> = (0..50_000u32).map(|i| (i % 253) as u8).collect();
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(content.clone()).file_name("scan.pdf"))
        .text("kind", "contract");
    let res = app.http.post(app.url("/v1/evidence")).bearer_auth(&key).multipart(form).send().await.unwrap();
    let id = expect::<Evidence>(res, 201).await.id.to_string();

    let zip = anchored_zip(&app, &id, &key, "").await;
    // A new record's receipt is v2: its disclosed metadata is there as metadata.json too.
    let mut entries: Vec<&str> = ENTRIES.to_vec();
    entries.insert(3, "metadata.json");
    assert_eq!(zip_entry_names(&zip), entries);
    let receipt = app.anchored_receipt(&id, &key).await;
    assert_eq!(receipt.format, "notarium-receipt/v2");
    assert_eq!(read_receipt(&zip).unwrap(), receipt, "the zip holds the receipt the JSON route serves");
    assert_eq!(notarium_verify(&app, &zip, Some(&content)), Some(0));
    assert_eq!(notarium_verify(&app, &zip, None), Some(0));

    let place_original = |dir: &Path| std::fs::write(dir.join("scan.pdf"), &content).unwrap();
    let dir = unzipped(&app, &zip);
    place_original(dir.path());
    let out = run_verify_txt(dir.path(), &["scan.pdf"]);
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // With notarium on the PATH, verify.sh runs it as its last, optional step.
    for line in [
        "original file: OK",
        "metadata: OK",
        "inclusion proof: OK",
        "quorum: OK",
        "notarium verify: OK",
        "RESULT: VALID.",
    ] {
        assert!(stdout.contains(line), "{line}: {}", shown(&out));
    }

    // Each tampering fails the run at the check that sees it.
    let tampered: [Tampering; 4] = [
        ("one byte of header.txt", |d| flip_byte(&d.join("header.txt"), 2), "header.txt is a block header: FAILED"),
        ("one byte of metadata.json", |d| flip_byte(&d.join("metadata.json"), 3), "metadata: FAILED"),
        ("one byte of court.p7s", |d| flip_byte(&d.join("court.p7s"), 2), "co-signature court: FAILED"),
        ("another original", |d| std::fs::write(d.join("scan.pdf"), b"other").unwrap(), "original file: FAILED"),
    ];
    for (what, tamper, seen) in tampered {
        let dir = unzipped(&app, &zip);
        place_original(dir.path());
        tamper(dir.path());
        let out = run_verify_txt(dir.path(), &["scan.pdf"]);
        assert!(!out.status.success(), "{what}: {}", shown(&out));
        assert!(shown(&out).contains(seen), "{what}: {}", shown(&out));
        assert!(String::from_utf8_lossy(&out.stdout).contains("RESULT: INVALID"), "{what}: {}", shown(&out));
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_hash_only_records_zip_passes_with_the_file_given_as_argument() {
    if !can_run_verify_txt() {
        return;
    }
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let content = b"a hash-only contract: the file never left the client";
    let id = app.register(content).await.id.to_string();

    let zip = anchored_zip(&app, &id, &key, "&disclose=none").await;
    assert_eq!(zip_entry_names(&zip), ENTRIES);
    let receipt = read_receipt(&zip).unwrap();
    assert!(receipt.evidence.metadata.is_none(), "?disclose=none leaves the metadata out of the zip too");
    assert_eq!(receipt.evidence.content_hash, Hash::of(content));
    assert_eq!(notarium_verify(&app, &zip, Some(content)), Some(0));

    let dir = unzipped(&app, &zip);
    let elsewhere = tempfile::tempdir().unwrap();
    let original = elsewhere.path().join("contract.txt");
    std::fs::write(&original, content).unwrap();
    let out = run_verify_txt(dir.path(), &[original.to_str().unwrap()]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("metadata: NOT DISCLOSED"), "{}", shown(&out));
    // Without the argument the receipt is checked, and the run says that the file was not.
    let out = run_verify_txt(dir.path(), &[]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("original file: NOT CHECKED"), "{}", shown(&out));

    std::fs::write(&original, b"another contract").unwrap();
    assert!(!run_verify_txt(dir.path(), &[original.to_str().unwrap()]).status.success());
    app.stop().await;
}

#[actix_web::test]
async fn the_zip_is_the_owners_only_and_unknown_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let id = app.register(b"mine").await.id.to_string();
    let other = app.key(TenantRole::Hospital).to_owned();
    let unknown = "019aa6b2-5c00-7000-8000-000000000001";
    for path in [
        format!("/v1/evidence/{id}/receipt.zip"),
        format!("/v1/evidence/{unknown}/receipt.zip"),
        "/v1/evidence/not-an-id/receipt.zip".to_owned(),
    ] {
        assert_eq!(problem(app.get(&path, Some(&other)).await).await, (404, "not_found".into()), "{path}");
    }
    let (status, code) = problem(app.get(&format!("/v1/evidence/{id}/receipt.zip"), None).await).await;
    assert_eq!(status, 401, "{code}");
    app.stop().await;
}

#[actix_web::test]
async fn the_zip_answers_202_with_the_evidence_until_anchored() {
    // Witnesses at addresses where nothing listens: the block is sealed but never anchored.
    let addrs: Vec<SocketAddr> =
        (0..2).map(|_| TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()).collect();
    let app = TestApp::spawn_with(|s| s.witnesses = external_witnesses(&addrs)).await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let id = app.register(b"not anchored yet").await.id.to_string();
    for query in ["", "?wait=1"] {
        let res = app.get(&format!("/v1/evidence/{id}/receipt.zip{query}"), Some(&key)).await;
        assert_eq!(res.status(), 202, "{query}");
        assert_eq!(res.headers().get("retry-after").unwrap(), "1");
        assert_eq!(res.headers().get("content-type").unwrap(), "application/json");
        let body: Evidence = expect(res, 202).await;
        assert_eq!(body.id.to_string(), id);
        assert!(matches!(body.status, Status::Sealed | Status::Pending), "{body:?}");
    }
    let cases =
        [("?wait=31", "invalid_wait"), ("?disclose=some", "invalid_disclose"), ("?colour=red", "invalid_query")];
    for (query, code) in cases {
        let res = app.get(&format!("/v1/evidence/{id}/receipt.zip{query}"), Some(&key)).await;
        assert_eq!(problem(res).await, (400, code.to_owned()), "{query}");
    }
    app.stop().await;
}
