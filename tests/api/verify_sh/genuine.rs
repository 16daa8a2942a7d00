//! Genuine receipts pass `verify.sh` as they pass `notarium verify`, and another file fails
//! both: a document, an image, an e-invoice, and every leaf of a block of 7.

use notarium::bundle::VERIFY_SH;
use notarium::domain::TenantRole;
use notarium::domain::canonical::canonical_json;
use serde_json::Value;

use super::{assert_verdicts, batch_zips, dev_anchors, receipt_of, served_zip};
use crate::invoices::{invoice, issue};
use crate::pictures::{form, jpeg, post_image};
use crate::support::bundle::{BUNDLE_ENTRIES_V2, zip_entry, zip_entry_names};
use crate::support::programs::can_run_verify_txt;
use crate::support::{Evidence, TestApp, expect};

#[actix_web::test]
async fn a_document_an_image_and_an_invoice_pass_verify_sh_without_notarium_and_another_file_fails() {
    if !can_run_verify_txt() {
        return;
    }
    let app = TestApp::spawn().await;
    let anchors = dev_anchors(&app);
    let (merchant, hospital) = (app.key(TenantRole::Merchant).to_owned(), app.key(TenantRole::Hospital).to_owned());

    let document: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let upload = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(document.clone()).file_name("scan.pdf"))
        .text("kind", "contract");
    let res = app.http.post(app.url("/v1/evidence")).bearer_auth(&merchant).multipart(upload).send().await.unwrap();
    let document_id = expect::<Evidence>(res, 201).await.id.to_string();

    let picture = jpeg(3, 320, 240);
    let res = post_image(&app, &merchant, form(picture.clone(), "photo.jpg", &[("title", "Shop front")])).await;
    let image_id = expect::<Value>(res, 201).await["id"].as_str().unwrap().to_owned();

    let bill = invoice("DEMO-HOSP", "VSH-1");
    let invoice_id = issue(&app, &bill).await.evidence.id.to_string();

    let cases = [
        ("a document", document_id, &merchant, document),
        ("an image", image_id, &merchant, picture),
        ("an e-invoice", invoice_id, &hospital, canonical_json(&bill)),
    ];
    let mut zips = Vec::new();
    for (what, id, key, file) in cases {
        zips.push((what, served_zip(&app, &id, key).await, file));
    }
    // The service is stopped before the scripts run, as a court checks offline.
    let _data = app.stop().await;
    for (what, zip, file) in zips {
        let mut entries = BUNDLE_ENTRIES_V2.to_vec();
        entries.insert(3, "metadata.json");
        assert_eq!(zip_entry_names(&zip), entries, "{what}");
        assert_eq!(receipt_of(&zip).format, "notarium-receipt/v2");
        let text = assert_verdicts(what, &zip, &file, &anchors, true);
        for line in [
            "original file: OK (this is the registered file",
            "metadata: OK",
            "inclusion proof: OK",
            "co-signature court: OK (role court",
            "co-signature notary: OK (role notary",
            "quorum: OK",
        ] {
            assert!(text.contains(line), "{what}: {line}\n{text}");
        }
        let mut other = file.clone();
        other[0] ^= 1;
        let text = assert_verdicts(&format!("{what}, another file"), &zip, &other, &anchors, false);
        assert!(text.contains("original file: FAILED (this is NOT the registered file"), "{what}: {text}");
    }
}

#[actix_web::test]
async fn every_leaf_of_a_block_of_seven_passes_verify_sh_with_the_same_constant_script() {
    if !can_run_verify_txt() {
        return;
    }
    let app = TestApp::spawn().await;
    let anchors = dev_anchors(&app);
    let key = app.key(TenantRole::Merchant).to_owned();
    let contents: Vec<Vec<u8>> = (0..7).map(|i| format!("page {i} of the ledger").into_bytes()).collect();
    let zips = batch_zips(&app, &key, &contents).await;
    let _data = app.stop().await;
    let mut heights = Vec::new();
    for (i, (zip, content)) in zips.iter().zip(&contents).enumerate() {
        let zip = zip.as_slice();
        let receipt = receipt_of(zip);
        assert_eq!((receipt.proof.leaf_index, receipt.proof.leaf_count), (i as u64, 7), "one block of 7");
        heights.push(receipt.block.height);
        assert_eq!(zip_entry_names(zip), BUNDLE_ENTRIES_V2, "hash-only: no metadata.json");
        let script = zip_entry(zip, "verify.sh");
        assert_eq!(script, VERIFY_SH.as_bytes(), "the same script in every zip");
        let text = assert_verdicts(&format!("leaf {i} of 7"), zip, content, &anchors, true);
        assert!(text.contains("metadata: OK (leaf.txt's meta is the keyed hash of {}"), "{text}");
    }
    assert!(heights.iter().all(|h| *h == heights[0]), "{heights:?}");
}
