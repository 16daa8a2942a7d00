//! The certificate as a signed PDF (issue 25, item 4), checked with poppler and NSS: its
//! Chinese text extracts, `pdfsig` finds the operator's signature valid over the whole document
//! (the dev CA trusted in an NSS database) and broken after one byte changes, and the QR code
//! of the rendered page decodes to the certificate's address.

use std::path::Path;
use std::process::Command;

use notarium::domain::TenantRole;

use crate::browser_session::Browser;
use crate::certificate_page::{ADDRESS, LEGAL_NAME, anchored_document, operated_app};
use crate::support::TestApp;
use crate::support::programs::can_check_pdfs;

/// The program's output; it must succeed.
fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `pdfsig`'s report of `pdf`, the dev CA of `app` trusted in a fresh NSS database.
fn pdfsig(app: &TestApp, pdf: &Path, dir: &Path) -> String {
    let nss = dir.join("nss");
    if !nss.exists() {
        std::fs::create_dir(&nss).unwrap();
        let db = format!("sql:{}", nss.display());
        run("certutil", &["-N", "-d", &db, "--empty-password"]);
        let ca = app.data.path().join("pki/ca.pem");
        run("certutil", &["-A", "-d", &db, "-n", "notarium-dev-ca", "-t", "CT,C,C", "-i", ca.to_str().unwrap()]);
    }
    // Not `-no-ocsp`: poppler 22.12 then reports "Unknown issue with Certificate" for any
    // certificate; ours name no OCSP responder, so nothing is fetched either way.
    let out = Command::new("pdfsig").args(["-nssdir", &format!("sql:{}", nss.display())]).arg(pdf).output();
    let out = out.unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[tokio::test]
async fn the_signed_pdf_extracts_in_chinese_verifies_with_pdfsig_and_its_qr_code_decodes() {
    if !can_check_pdfs() {
        return;
    }
    let app = operated_app().await;
    let (id, _, receipt) = anchored_document(&app).await;
    let mut visitor = Browser::new(&app.base);
    let res = visitor.get(&format!("/e/{id}/certificate.pdf?lang=zh")).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.headers["content-type"], "application/pdf");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("certificate.pdf");
    std::fs::write(&pdf, &res.bytes).unwrap();

    // Lines wrap anywhere in CJK text and hashes: compared without whitespace.
    let text: String = run("pdftotext", &[pdf.to_str().unwrap(), "-"]).split_whitespace().collect();
    for shown in
        ["存证证书", "运营方", LEGAL_NAME, ADDRESS, "见证人", "本证书证明的内容", "最迟于", "本证书不能证明的内容"]
    {
        let shown: String = shown.split_whitespace().collect();
        assert!(text.contains(&shown), "pdftotext finds {shown} in:\n{text}");
    }
    assert!(text.contains("如何核验") && text.contains("notariumverifyreceipt.zip--trustca.pem--fileFILE"));
    assert!(text.contains(&receipt.block.block_hash.to_string()), "the block hash");
    assert!(text.contains("Asia/Shanghai(UTC+08:00)"), "the local time");
    assert!(!text.contains(&receipt.evidence.content_hash.to_string()), "the content hash is the owner's");

    let report = pdfsig(&app, &pdf, dir.path());
    assert!(report.contains("Signature Validation: Signature is Valid."), "{report}");
    assert!(report.contains("Certificate Validation: Certificate is Trusted."), "{report}");
    assert!(report.contains("Total document signed"), "{report}");
    assert!(report.contains("ETSI.CAdES.detached"), "{report}");
    assert!(report.contains("Notarium Dev Operator"), "the operator signed: {report}");

    // One byte of the content changed (a letter of the producer's name): the digest no longer
    // matches.
    let mut changed = res.bytes.to_vec();
    let at = changed.windows(7).position(|w| w == b"(krilla").expect("the producer") + 1;
    changed[at] = b'K';
    let tampered = dir.path().join("tampered.pdf");
    std::fs::write(&tampered, &changed).unwrap();
    let report = pdfsig(&app, &tampered, dir.path());
    assert!(!report.contains("Signature is Valid"), "{report}");
    assert!(report.contains("Digest Mismatch"), "{report}");

    // Page 1 rendered; its QR code leads to the certificate's page.
    let prefix = dir.path().join("page");
    run("pdftoppm", &["-r", "150", "-f", "1", "-l", "1", "-png", pdf.to_str().unwrap(), prefix.to_str().unwrap()]);
    let png = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).find(|p| {
        p.file_name().unwrap().to_string_lossy().starts_with("page") && p.extension().is_some_and(|e| e == "png")
    });
    let image = image::open(png.expect("a rendered page")).unwrap().to_luma8();
    let (w, h) = (image.width() as usize, image.height() as usize);
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| image.get_pixel(x as u32, y as u32).0[0]);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    let (_, url) = grids[0].decode().unwrap();
    assert_eq!(url, format!("{}/e/{id}", app.base));
}

#[tokio::test]
async fn the_pdf_has_the_pages_visibility() {
    let app = operated_app().await;
    let (id, _, receipt) = anchored_document(&app).await;
    let mut owner = Browser::new(&app.base);
    crate::pages::log_in(&mut owner, app.key(TenantRole::Merchant)).await;
    let res = owner.get(&format!("/e/{id}/certificate.pdf?lang=en")).await;
    assert_eq!(res.status, 200);
    if can_check_pdfs() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("owner.pdf");
        std::fs::write(&pdf, &res.bytes).unwrap();
        let text = run("pdftotext", &[pdf.to_str().unwrap(), "-"]).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(&receipt.evidence.content_hash.to_string()), "the owner's PDF has the content hash");
        assert!(text.contains("existed, exactly as registered, no later than"), "{text}");
    }
    let mut public = Browser::new(&app.base);
    assert_eq!(public.get("/e/01a200a4-5fba-7006-922a-90969a007b2f/certificate.pdf").await.status, 404);
    assert_eq!(public.get("/e/not-an-id/certificate.pdf").await.status, 404);
}

/// Makes docs/screenshots/certificate-{en,zh,print}.png with tests/browser/screenshots.mjs.
/// By hand: `cargo test --test api certificate_screenshots -- --ignored`.
#[tokio::test]
#[ignore = "writes docs/screenshots; run by hand"]
async fn certificate_screenshots() {
    let Some(dir) = crate::support::programs::browser_flows() else { return };
    let app = operated_app().await;
    let (id, _, _) = anchored_document(&app).await;
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&docs).unwrap();
    let out = Command::new("node")
        .arg(dir.join("screenshots.mjs"))
        .current_dir(&dir)
        .envs([
            ("BASE_URL", app.base.clone()),
            ("API_KEY", app.key(TenantRole::Merchant).to_owned()),
            ("EVIDENCE_ID", id),
            ("OUT_DIR", docs.display().to_string()),
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
}
