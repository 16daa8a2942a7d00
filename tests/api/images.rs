//! `/v1/images`: registration with committed fingerprints (and nothing private from EXIF),
//! search earliest first with public fields only, the owner's original, bad files, and the
//! index rebuilt at start.

use image::{DynamicImage, GrayImage, ImageFormat, imageops};
use notarium::domain::TenantRole;
use serde_json::Value;

use crate::pictures::{SERIAL, camera_exif, encode, form, jpeg, picture, post_image, register, search, with_exif};
use crate::support::process::notarium;
use crate::support::{Evidence, TestApp, expect, problem};

async fn matches(res: reqwest::Response) -> Vec<Value> {
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!((body["algorithm"].as_str(), body["threshold"].as_u64()), (Some("pdq-multi/1"), Some(40)));
    body["matches"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_registration_commits_to_its_fingerprints_and_keeps_no_gps_or_serial_number() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let bytes = with_exif(&jpeg(1, 640, 480), &camera_exif());
    let fields = [("title", "Red dress, front"), ("author", "Studio Lin"), ("public", "false")];
    let res = post_image(&app, &key, form(bytes.clone(), "dress.jpg", &fields)).await;
    assert_eq!(res.status(), 201);
    let out: Value = res.json().await.unwrap();
    assert_eq!((out["kind"].as_str(), out["status"].as_str()), (Some("image"), Some("pending")));
    let m = &out["metadata"];
    assert_eq!((m["title"].as_str(), m["author"].as_str()), (Some("Red dress, front"), Some("Studio Lin")));
    assert_eq!(m["file"]["name"], "dress.jpg");
    assert_eq!(m["file"]["size"], bytes.len());
    assert_eq!(m["file"]["sha256"], hex::encode(openssl::sha::sha256(&bytes)));
    assert_eq!(m["image"]["format"], "jpeg");
    assert_eq!((m["image"]["width"].as_u64(), m["image"]["height"].as_u64()), (Some(640), Some(480)));
    assert_eq!(m["image"]["captured"], "2024-05-01T10:20:30+08:00");
    assert_eq!(m["fingerprints"]["algorithm"], "pdq-multi/1");
    assert_eq!(m["fingerprints"]["hashes"].as_array().unwrap().len(), 12);

    // The receipt commits to that metadata and holds nothing more from EXIF than the time.
    let id = out["id"].as_str().unwrap();
    let receipt = app.anchored_receipt(id, &key).await;
    assert_eq!(Value::Object(receipt.evidence.metadata.clone().unwrap()), *m);
    let receipt_text = app.get(&format!("/v1/evidence/{id}/receipt"), Some(&key)).await.text().await.unwrap();
    for text in [m.to_string(), receipt_text] {
        assert!(!text.contains(SERIAL), "the camera serial number leaked: {text}");
    }
    // No GPS field under any name (the receipt's base64 signatures may hold any letters).
    let metadata = m.to_string().to_lowercase();
    assert!(!metadata.contains("gps") && !metadata.contains("latitude"), "{metadata}");

    // The original is the owner's alone.
    let res = app.get(&format!("/v1/images/{id}/original"), Some(&key)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    let rival = app.store().await.create_tenant("Rival shop", TenantRole::Merchant, None).await.unwrap().1;
    for path in
        [format!("/v1/images/{id}/original"), format!("/v1/evidence/{id}/receipt"), format!("/v1/evidence/{id}")]
    {
        assert_eq!(problem(app.get(&path, Some(&rival)).await).await, (404, "not_found".into()), "{path}");
    }
    assert_eq!(problem(app.get(&format!("/v1/images/{id}/original"), None).await).await.0, 401);
    app.stop().await;
}

#[tokio::test]
async fn search_finds_copies_earliest_registration_first_with_public_fields_only() {
    let app = TestApp::spawn().await;
    let first_key = app.key(TenantRole::Merchant).to_owned();
    let second_key = app.store().await.create_tenant("Copycat Store", TenantRole::Merchant, None).await.unwrap().1;
    let photo = picture(7, 800, 600);
    let bytes = encode(&DynamicImage::ImageRgb8(photo.clone()), ImageFormat::Jpeg);
    let first = register(&app, &first_key, bytes.clone(), "Original shoot", false).await;
    let second = register(&app, &second_key, bytes.clone(), "Reposted", true).await;
    let _other = register(&app, &first_key, jpeg(8, 800, 600), "Another photo", true).await;

    // A pirated copy: mirrored, halved, cropped 3 % a side, re-encoded as PNG.
    let small = imageops::resize(&imageops::flip_horizontal(&photo), 400, 300, imageops::FilterType::Triangle);
    let cropped = imageops::crop_imm(&small, 12, 9, 376, 282).to_image();
    let found = matches(search(&app, encode(&DynamicImage::ImageRgb8(cropped), ImageFormat::Png)).await).await;
    let ids: Vec<&str> = found.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [first.id.to_string(), second.id.to_string()], "earliest first: {found:#?}");
    assert!(found[0]["registered"].as_str() <= found[1]["registered"].as_str());
    for m in &found {
        assert!(m["distance"].as_u64().unwrap() <= 40, "{m}");
        assert_eq!(m["identical"], false);
        assert_eq!(m["link"], format!("/e/{}", m["id"].as_str().unwrap()));
    }
    // The first registration is not public: no title, author, owner or thumbnail.
    for field in ["title", "author", "owner", "thumbnail"] {
        assert!(found[0].get(field).is_none(), "{field} of a non-public registration shown: {}", found[0]);
    }
    assert_eq!((found[1]["title"].as_str(), found[1]["owner"].as_str()), (Some("Reposted"), Some("Copycat Store")));

    // The public thumbnail is anyone's; the other one is nobody's but its owner's.
    let thumb = app.get(found[1]["thumbnail"].as_str().unwrap(), None).await;
    assert_eq!(thumb.status(), 200);
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));
    let hidden = format!("/e/{}/thumbnail.jpg", found[0]["id"].as_str().unwrap());
    assert_eq!(app.get(&hidden, None).await.status(), 404);

    // The very file: identical, distance 0. Another picture: no match.
    let exact = matches(search(&app, bytes).await).await;
    assert_eq!(exact.len(), 2);
    assert!(exact.iter().all(|m| m["identical"] == true && m["distance"] == 0), "{exact:#?}");
    assert!(matches(search(&app, jpeg(9, 800, 600)).await).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_flat_picture_is_found_by_its_content_only_and_the_index_survives_a_restart() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let flat = encode(&DynamicImage::ImageLuma8(GrayImage::from_pixel(300, 200, image::Luma([180]))), ImageFormat::Png);
    let flat_record = register(&app, &key, flat.clone(), "Grey card", false).await;
    let photo = picture(21, 600, 400);
    let photo_record =
        register(&app, &key, encode(&DynamicImage::ImageRgb8(photo.clone()), ImageFormat::Jpeg), "Lamp", false).await;
    let data = app.stop().await;

    let app = TestApp::spawn_on(data, |_| {}).await;
    let res = search(&app, flat).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["fingerprinted"], false, "a flat picture has no usable fingerprint");
    assert_eq!(body["matches"][0]["id"], flat_record.id.to_string());
    assert_eq!(body["matches"][0]["identical"], true);
    // A re-encoded copy of the photo is found through the index loaded at start.
    let copy = encode(&DynamicImage::ImageRgb8(photo), ImageFormat::WebP);
    let found = matches(search(&app, copy).await).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], photo_record.id.to_string());
    app.stop().await;
}

/// A PNG whose valid header declares `width × height` (CRC fixed), with one pixel of data.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut png = encode(&DynamicImage::ImageRgb8(picture(1, 1, 1)), ImageFormat::Png);
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// The bad files of the issue and what each gets: (name, bytes, status, code).
pub fn bad_files(max_bytes: usize) -> Vec<(&'static str, Vec<u8>, u16, &'static str)> {
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    let noise = |n: usize| -> Vec<u8> { (0..n as u64).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect() };
    let whole = jpeg(3, 1200, 900);
    vec![
        ("animation.gif", gif.to_vec(), 415, "unsupported_media_type"),
        ("noise.jpg", noise(max_bytes - 1024), 415, "unsupported_media_type"),
        ("notes.jpg", b"These are my notes, not a photo.\n".to_vec(), 415, "unsupported_media_type"),
        ("huge.jpg", noise(max_bytes + 1), 413, "too_large"),
        ("billboard.png", png_declaring(20_000, 20_000), 422, "image_too_large"),
        ("cut.jpg", whole[..whole.len() / 2].to_vec(), 422, "image_corrupt"),
        ("cut.png", png_declaring(9_999, 9_999), 422, "image_corrupt"),
        // Found by `cargo fuzz run picture`: the png crate panicked on it (docs/fuzzing.md).
        (
            "fuzzed-palette.png",
            include_bytes!("../regressions/fuzz/picture-png-short-palette.png").to_vec(),
            422,
            "image_corrupt",
        ),
        ("empty.jpg", Vec::new(), 422, "empty_file"),
    ]
}

#[tokio::test]
async fn each_bad_file_gets_its_status_and_code_and_nothing_is_stored() {
    const MAX: usize = 2 << 20;
    let app = TestApp::spawn_with(|s| s.max_image_bytes = MAX as u64).await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let before = app.evidence_count().await;
    for (name, bytes, status, code) in bad_files(MAX) {
        let res = post_image(&app, &key, form(bytes.clone(), name, &[("title", name)])).await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            (body["status"].as_u64(), body["code"].as_str()),
            (Some(status.into()), Some(code)),
            "{name}: {body}"
        );
        if status == 415 {
            assert_eq!(body["accepted"], serde_json::json!(["image/jpeg", "image/png", "image/webp"]), "{name}");
        }
        let res = search(&app, bytes).await;
        assert_eq!(problem(res).await, (status, code.to_owned()), "search with {name}");
    }
    let good = || form(jpeg(4, 64, 64), "ok.jpg", &[]);
    let hospital = app.key(TenantRole::Hospital).to_owned();
    assert_eq!(problem(post_image(&app, &hospital, good()).await).await, (403, "role_not_allowed".into()));
    let long = "x".repeat(201);
    let res = post_image(&app, &key, form(jpeg(4, 64, 64), "ok.jpg", &[("title", &long)])).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!((body["code"].as_str(), body["errors"][0]["pointer"].as_str()), (Some("invalid_field"), Some("/title")));
    let res = post_image(&app, &key, form(jpeg(4, 64, 64), "ok.jpg", &[("colour", "red")])).await;
    assert_eq!(problem(res).await, (422, "invalid_field".into()));
    assert_eq!(app.evidence_count().await, before, "a refused upload stored a record");
    let blobs = app.data.path().join("blobs");
    let kept = std::fs::read_dir(&blobs).map(|d| d.flat_map(|t| std::fs::read_dir(t.unwrap().path()).unwrap()).count());
    assert_eq!(kept.unwrap_or(0), 0, "a refused upload left a file in {}", blobs.display());
    app.stop().await;
}

/// `notarium compare RECEIPT SUSPECT --trust ca.pem`: (exit code, stdout + stderr).
fn compare(app: &TestApp, receipt: &std::path::Path, suspect: &std::path::Path) -> (i32, String) {
    let out = notarium()
        .arg("compare")
        .args([receipt, suspect])
        .arg("--trust")
        .arg(app.trust_dir().join("ca.pem"))
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap(), text)
}

#[tokio::test]
async fn notarium_compare_tells_a_pirated_copy_from_another_picture_offline() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let photo = picture(31, 900, 700);
    let record =
        register(&app, &key, encode(&DynamicImage::ImageRgb8(photo.clone()), ImageFormat::Jpeg), "Vase", false).await;
    let id = record.id;
    app.anchored_receipt(id, &key).await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let receipt_json = app.get(&format!("/v1/evidence/{id}/receipt"), Some(&key)).await.text().await.unwrap();
    let receipt = write("receipt.json", receipt_json.as_bytes());

    // A copy stamped with a logo in a corner, cropped 5 % a side and mirrored, as WebP.
    let mut stamped = photo.clone();
    for (x, y) in (20..120).flat_map(|x| (20..100).map(move |y| (x, y))) {
        stamped.put_pixel(x, y, image::Rgb([250, 250, 250]));
    }
    let copy = imageops::flip_horizontal(&imageops::crop_imm(&stamped, 45, 35, 810, 630).to_image());
    let suspect = write("copy.webp", &encode(&DynamicImage::ImageRgb8(copy), ImageFormat::WebP));
    let (code, text) = compare(&app, &receipt, &suspect);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("receipt   VALID") && text.contains("MATCH: the suspect picture is within 40 bits"),
        "{text}"
    );

    let other = write("other.jpg", &jpeg(32, 900, 700));
    let (code, text) = compare(&app, &receipt, &other);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("NO MATCH"), "{text}");

    // Fingerprints swapped for the other picture's: the receipt no longer verifies.
    let mut forged: Value = serde_json::from_str(&receipt_json).unwrap();
    let other_record = register(&app, &key, jpeg(32, 900, 700), "Other", false).await;
    forged["evidence"]["metadata"]["fingerprints"] = other_record.metadata.unwrap()["fingerprints"].clone();
    let forged = write("forged.json", forged.to_string().as_bytes());
    let (code, text) = compare(&app, &forged, &other);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("receipt   INVALID") && text.contains("NOT SHOWN"), "{text}");

    // The very file: identical, whatever its fingerprints.
    let original =
        write("original.jpg", &app.get(&format!("/v1/images/{id}/original"), Some(&key)).await.bytes().await.unwrap());
    let (code, text) = compare(&app, &receipt, &original);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("IDENTICAL"), "{text}");

    // A flat picture's fingerprints mean nothing: another flat picture is inconclusive, not a match.
    let flat = |level: u8| {
        encode(&DynamicImage::ImageLuma8(GrayImage::from_pixel(300, 200, image::Luma([level]))), ImageFormat::Png)
    };
    let flat_record = register(&app, &key, flat(180), "Grey card", false).await;
    let flat_id = flat_record.id;
    app.anchored_receipt(flat_id, &key).await;
    let flat_json = app.get(&format!("/v1/evidence/{flat_id}/receipt"), Some(&key)).await.text().await.unwrap();
    let flat_receipt = write("flat.json", flat_json.as_bytes());
    let (code, text) = compare(&app, &flat_receipt, &write("other-flat.png", &flat(60)));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("INCONCLUSIVE"), "{text}");

    // Unusable input: a receipt without its metadata, a suspect that is not a picture.
    let bare = app.get(&format!("/v1/evidence/{id}/receipt?disclose=none"), Some(&key)).await.text().await.unwrap();
    let bare = write("bare.json", bare.as_bytes());
    let (code, text) = compare(&app, &bare, &suspect);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("does not disclose its metadata"), "{text}");
    let (code, text) = compare(&app, &receipt, &receipt);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("not an accepted image format"), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn a_repeated_idempotency_key_returns_the_first_picture_and_titles_are_escaped() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let title = "<script>alert(1)</script> & \"dress\"";
    let send = |bytes: Vec<u8>| {
        let fields = [("title", title), ("public", "true")];
        app.http
            .post(app.url("/v1/images"))
            .bearer_auth(&key)
            .header("Idempotency-Key", "shoot-2026-11-22-001")
            .multipart(form(bytes, "dress.jpg", &fields))
            .send()
    };
    let first: Evidence = expect(send(jpeg(41, 320, 240)).await.unwrap(), 201).await;
    let again: Evidence = expect(send(jpeg(41, 320, 240)).await.unwrap(), 201).await;
    assert_eq!(again.id, first.id, "the repeat created another record");
    assert_eq!(problem(send(jpeg(42, 320, 240)).await.unwrap()).await, (409, "idempotency_key_reused".into()));
    let found = matches(search(&app, jpeg(41, 320, 240)).await).await;
    assert_eq!(found.len(), 1, "{found:#?}");

    // The public title appears on the certificate and the search page escaped, never as markup.
    let page = app.get(&format!("/e/{}", first.id), None).await.text().await.unwrap();
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;dress&#34;"), "{page}");
    assert!(!page.contains("<script>alert(1)"), "{page}");
    app.stop().await;
}
