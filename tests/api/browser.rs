//! The pages in a real browser: Debian's headless chromium driven by playwright-core
//! (tests/browser/flow.mjs) logs in, opens an evidence page, prints it to one A4 page,
//! downloads the receipt, verifies it on /verify and reads "Valid", then switches to Chinese;
//! an insurer checks an invoice and claims it in one click, the hospital sees the claim; every
//! page fits a 390 px phone screen.
//!
//! Needs `chromium` (Debian package), Node.js, and `npm ci --prefix tests/browser`. Missing:
//! a failure in CI, else a skip that says what to install.

use std::path::Path;
use std::process::Command;

use notarium::domain::TenantRole;
use reqwest::multipart::{Form, Part};

use crate::helpers::TestApp;

const CHROMIUM: &str = "/usr/bin/chromium";

/// What is missing to run the browser test, if anything.
fn missing_tools(dir: &Path) -> Option<&'static str> {
    if !Path::new(CHROMIUM).exists() {
        return Some("chromium is not installed: apt-get install chromium");
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("Node.js is not installed: apt-get install nodejs npm");
    }
    if !dir.join("node_modules/playwright-core").exists() {
        return Some("playwright-core is not installed: npm ci --prefix tests/browser");
    }
    None
}

#[tokio::test]
async fn log_in_open_evidence_verify_its_receipt_and_switch_to_chinese() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if let Some(missing) = missing_tools(&dir) {
        return crate::tools::cannot_run(missing);
    }
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
    let mut run = Command::new("node");
    run.arg(dir.join("flow.mjs"))
        .current_dir(&dir)
        .env("BASE_URL", &app.base)
        .env("API_KEY", &key)
        .env("EVIDENCE_ID", &id)
        .env("HOSPITAL_KEY", app.key(TenantRole::Hospital))
        .env("INSURER_KEY", app.key(TenantRole::Insurer))
        .env("INVOICE_FILE", &invoice_file)
        .env("OUT_DIR", out.path());
    let output = tokio::task::spawn_blocking(move || run.output()).await.unwrap().expect("node runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the browser flow failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("ok: the receipt verifies (\"Valid\")"), "{stdout}");
    assert!(stdout.contains("ok: the verdict reads 有效"), "{stdout}");
}
