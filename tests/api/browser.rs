//! The pages in a real browser: Debian's headless chromium driven by playwright-core
//! (tests/browser/flow.mjs) logs in, opens an evidence page, prints it to one A4 page,
//! downloads the receipt, verifies it on /verify and reads "Valid", then switches to Chinese;
//! an insurer checks an invoice and claims it in one click, the hospital sees the claim; every
//! page fits a 390 px phone screen. tests/browser/photos.mjs registers photos on /register
//! (one chosen, one dropped), opens a certificate once anchored and searches on /search.
//!
//! Needs `chromium` (Debian package), Node.js, and `npm ci --prefix tests/browser`. Missing:
//! a failure in CI, else a skip that says what to install.

use std::path::Path;
use std::process::Command;

use notarium::domain::TenantRole;
use reqwest::multipart::{Form, Part};

use crate::support::TestApp;
use crate::support::programs::browser_flows;

/// Runs `<dir>/<script>` with `envs` and returns its stdout; fails when the flow fails.
async fn run_flow(dir: &Path, script: &str, envs: Vec<(&str, String)>) -> String {
    let mut run = Command::new("node");
    run.arg(dir.join(script)).current_dir(dir).envs(envs);
    let output = tokio::task::spawn_blocking(move || run.output()).await.unwrap().expect("node runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the browser flow {script} failed:\n{stdout}\n{stderr}");
    stdout.into_owned()
}

#[tokio::test]
async fn log_in_open_evidence_verify_its_receipt_and_switch_to_chinese() {
    let Some(dir) = browser_flows() else { return };
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let form = Form::new().part("file", Part::bytes(b"a photo for the browser".to_vec()).file_name("photo.jpg"));
    let res = app.http.post(app.url("/v1/evidence")).bearer_auth(&key).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    app.anchored_receipt(&id, &key).await;

    let out = tempfile::tempdir().unwrap();
    let invoice = crate::invoices::invoice("DEMO-HOSP", "BROWSER-1");
    crate::invoices::issue(&app, &invoice).await;
    let invoice_file = out.path().join("invoice.json");
    std::fs::write(&invoice_file, serde_json::to_string_pretty(&invoice).unwrap()).unwrap();
    let envs = vec![
        ("BASE_URL", app.base.clone()),
        ("API_KEY", key),
        ("EVIDENCE_ID", id),
        ("HOSPITAL_KEY", app.key(TenantRole::Hospital).to_owned()),
        ("INSURER_KEY", app.key(TenantRole::Insurer).to_owned()),
        ("INVOICE_FILE", invoice_file.display().to_string()),
        ("OUT_DIR", out.path().display().to_string()),
    ];
    let stdout = run_flow(&dir, "flow.mjs", envs).await;
    assert!(stdout.contains("ok: the receipt verifies (\"Valid\")"), "{stdout}");
    assert!(stdout.contains("ok: the verdict reads 有效"), "{stdout}");
}

#[tokio::test]
async fn register_photos_by_dropping_them_then_open_a_certificate_and_search() {
    let Some(dir) = browser_flows() else { return };
    let app = TestApp::spawn().await;
    let out = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: Vec<u8>| {
        let path = out.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let envs = vec![
        ("BASE_URL", app.base.clone()),
        ("API_KEY", app.key(TenantRole::Merchant).to_owned()),
        ("PHOTO_A", write("dress-front.jpg", crate::image_pages::photo(21))),
        ("PHOTO_B", write("dress-back.jpg", crate::image_pages::photo(22))),
        ("NOT_A_PHOTO", write("notes.jpg", b"these are notes, not a picture".to_vec())),
        ("OUT_DIR", out.path().display().to_string()),
    ];
    let stdout = run_flow(&dir, "photos.mjs", envs).await;
    assert!(stdout.contains("ok: both photos link their certificate once anchored"), "{stdout}");
    assert!(stdout.contains("ok: the certificate shows the title (\"Spring collection\")"), "{stdout}");
    assert!(stdout.contains("ok: the court and the notary co-signed it"), "{stdout}");
    assert!(stdout.contains("ok: seven files upload at most three at a time (3 at most)"), "{stdout}");
    assert!(stdout.contains("photos flow passed"), "{stdout}");
}
