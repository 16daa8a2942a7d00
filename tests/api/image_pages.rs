//! The picture pages: `/register` (a logged-in merchant's uploads through
//! `POST /register/upload`, with the session and the CSRF header), `/search` (anyone; the
//! earliest registration first, in words) and an image's certificate `/e/{id}`, which shows a
//! private picture's title, author, owner and thumbnail to its owner only.

use std::io::Cursor;
use std::time::Duration;

use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, imageops};
use notarium::domain::{EvidenceKind, TenantRole};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::browser_session::{Browser, Page};
use crate::pages::log_in;
use crate::pictures::picture;
use crate::support::{TestApp, wait_until};

/// A picture as a JPEG of 480 × 360 pixels.
pub fn photo(seed: u64) -> Vec<u8> {
    crate::pictures::jpeg(seed, 480, 360)
}

/// A copy of [`photo`]: resized to 400 × 300 and saved again at JPEG quality 60 (other bytes).
fn copy_of(seed: u64) -> Vec<u8> {
    let smaller = imageops::resize(&picture(seed, 480, 360), 400, 300, imageops::FilterType::Triangle);
    let mut out = Vec::new();
    smaller.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 60)).unwrap();
    out
}

/// The registration form of the API and of the uploader.
fn form(bytes: Vec<u8>, name: &str, title: &str, author: &str, public: bool) -> Form {
    Form::new()
        .part("file", Part::bytes(bytes).file_name(name.to_owned()))
        .text("title", title.to_owned())
        .text("author", author.to_owned())
        .text("public", public.to_string())
}

/// Registers a picture through `POST /v1/images` with `key`; returns its id.
async fn register(app: &TestApp, key: &str, form: Form) -> String {
    let res = app.http.post(app.url("/v1/images")).bearer_auth(key).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

/// A browser logged in with `key`, and its CSRF token.
async fn logged_in(app: &TestApp, key: &str) -> (Browser, String) {
    let mut browser = Browser::new(&app.base);
    assert_eq!(log_in(&mut browser, key).await.status, 303);
    let csrf = browser.get("/").await.csrf();
    (browser, csrf)
}

/// Uploads as the `/register` page's script does, with `csrf` in the header when given.
async fn upload(browser: &mut Browser, form: Form, csrf: Option<&str>) -> (Page, Value) {
    let headers: Vec<(&str, &str)> = csrf.map(|c| ("x-csrf-token", c)).into_iter().collect();
    let page = browser.post_multipart_with("/register/upload", form, &headers).await;
    let body = serde_json::from_str(&page.body).unwrap_or_else(|_| panic!("not JSON: {}", page.body));
    (page, body)
}

/// `/e/{id}/status.json` until it says `anchored` (30 s deadline); returns the block height.
async fn anchored_block(browser: &mut Browser, id: &str) -> u64 {
    wait_until(Duration::from_secs(30), async || {
        let page = browser.get(&format!("/e/{id}/status.json")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let status: Value = serde_json::from_str(&page.body).unwrap();
        if status["status"] == "anchored" {
            return Ok(status["block"].as_u64().expect("an anchored record has a block"));
        }
        assert!(["pending", "sealed"].contains(&status["status"].as_str().unwrap()), "{status}");
        Err(format!("not anchored: {status}"))
    })
    .await
}

/// Posts the `/search` form with `file` (and the page's own CSRF token unless `csrf` is given).
async fn search(browser: &mut Browser, file: Vec<u8>, csrf: Option<&str>) -> Page {
    let token = match csrf {
        Some(c) => c.to_owned(),
        None => browser.get("/search").await.csrf(),
    };
    let form = Form::new().text("csrf", token).part("file", Part::bytes(file).file_name("found.jpg"));
    browser.post_multipart("/search", form).await
}

#[tokio::test]
async fn image_pages_register_is_for_logged_in_merchants() {
    let app = TestApp::spawn().await;
    let mut anonymous = Browser::new(&app.base);
    let page = anonymous.get("/register").await;
    assert_eq!((page.status, page.headers["location"].to_str().unwrap()), (303, "/login?next=/register"));

    let (mut hospital, _) = logged_in(&app, app.key(TenantRole::Hospital)).await;
    let page = hospital.get("/register").await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("This page is for merchants"), "{}", page.body);
    assert!(!hospital.get("/").await.body.contains(r#"href="/register""#), "no register link for a hospital");

    let (mut merchant, csrf) = logged_in(&app, app.key(TenantRole::Merchant)).await;
    let home = merchant.get("/").await;
    assert!(home.body.contains(r#"<a href="/register">Register photos</a>"#), "the merchant's navigation");
    let page = merchant.get("/register").await;
    assert_eq!(page.status, 200);
    for shown in ["Drop photos here", r#"id="files" type="file" multiple"#, r#"<script src="/public/register.js""#] {
        assert!(page.body.contains(shown), "{shown}");
    }
    assert_eq!(page.csrf(), csrf);
    assert!(page.body.contains("at most 30 MiB each"), "the size limit in words");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // Other pages still run no script.
    let csp = merchant.get("/search").await.headers["content-security-policy"].to_str().unwrap().to_owned();
    assert!(!csp.contains("script-src"), "{csp}");

    let script = anonymous.get("/public/register.js").await;
    assert_eq!(script.status, 200);
    assert!(script.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(script.body.contains("MAX_IN_FLIGHT = 3") && script.body.contains("X-CSRF-Token"));

    merchant.accept_language = Some("zh-CN");
    assert!(merchant.get("/register").await.body.contains("将照片拖放到此处"), "in Chinese");
}

#[tokio::test]
async fn image_pages_upload_with_session_and_csrf_registers_and_anchors() {
    let app = TestApp::spawn().await;
    let (mut merchant, csrf) = logged_in(&app, app.key(TenantRole::Merchant)).await;
    let (page, body) =
        upload(&mut merchant, form(photo(1), "dress.jpg", "Red dress", "Studio Lin", true), Some(&csrf)).await;
    assert_eq!(page.status, 201, "{body}");
    assert_eq!(page.headers["cache-control"], "no-store");
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(body["link"], format!("/e/{id}"));
    assert!(["pending", "sealed", "anchored"].contains(&body["status"].as_str().unwrap()), "{body}");

    let record = app.store().await.evidence_by_id(&id.parse().unwrap()).await.unwrap().expect("the record exists");
    assert_eq!(record.kind, EvidenceKind::Image);
    let metadata = record.metadata.unwrap();
    assert_eq!((metadata["title"].as_str(), metadata["author"].as_str()), (Some("Red dress"), Some("Studio Lin")));
    assert_eq!(metadata["file"]["name"], "dress.jpg");
    assert!(!metadata["fingerprints"]["hashes"].as_array().unwrap().is_empty(), "fingerprinted");

    // Without a title, the file name's stem; PNG is taken too.
    let mut png = Cursor::new(Vec::new());
    picture(2, 300, 200).write_to(&mut png, ImageFormat::Png).unwrap();
    let (page, body) = upload(&mut merchant, form(png.into_inner(), "shoe-side.png", "", "", false), Some(&csrf)).await;
    assert_eq!(page.status, 201, "{body}");
    let png_record = app.store().await.evidence_by_id(&body["id"].as_str().unwrap().parse().unwrap()).await.unwrap();
    assert_eq!(png_record.unwrap().metadata.unwrap()["title"], "shoe-side");

    // The public status, for the page's polling, to anyone.
    let mut anonymous = Browser::new(&app.base);
    let block = anchored_block(&mut anonymous, &id).await;
    let receipt = app.anchored_receipt(&id, app.key(TenantRole::Merchant)).await;
    assert_eq!(receipt.block.height, block);
    let status = anonymous.get(&format!("/e/{id}/status.json")).await;
    assert_eq!(status.headers["content-type"], "application/json");
    assert_eq!(
        serde_json::from_str::<Value>(&status.body).unwrap(),
        serde_json::json!({"status": "anchored", "block": block})
    );
    let unknown = anonymous.get("/e/01a200a4-5fba-7006-922a-90969a007b2f/status.json").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(serde_json::from_str::<Value>(&unknown.body).unwrap()["code"], "not_found");
    assert_eq!(anonymous.get("/e/not-an-id/status.json").await.status, 404);
}

#[tokio::test]
async fn image_pages_upload_without_the_session_or_its_csrf_token_stores_nothing() {
    let app = TestApp::spawn().await;
    let photo_form = || form(photo(3), "a.jpg", "Refused", "", false);
    let (mut merchant, csrf) = logged_in(&app, app.key(TenantRole::Merchant)).await;
    let before = app.evidence_count().await;

    let (page, body) = upload(&mut merchant, photo_form(), None).await;
    assert_eq!((page.status, body["code"].as_str()), (403, Some("csrf_rejected")), "no token");
    let wrong = format!("{}x", &csrf[1..]);
    let (page, body) = upload(&mut merchant, photo_form(), Some(&wrong)).await;
    assert_eq!((page.status, body["code"].as_str()), (403, Some("csrf_rejected")), "a wrong token");
    assert!(body["message"].as_str().unwrap().contains("did not come from this site"), "{body}");

    // The anonymous visitor's double-submit token does not open the uploader either.
    let mut anonymous = Browser::new(&app.base);
    let anonymous_csrf = anonymous.get("/login").await.csrf();
    let (page, body) = upload(&mut anonymous, photo_form(), Some(&anonymous_csrf)).await;
    assert_eq!((page.status, body["code"].as_str()), (401, Some("login_required")));

    let (mut hospital, hospital_csrf) = logged_in(&app, app.key(TenantRole::Hospital)).await;
    let (page, body) = upload(&mut hospital, photo_form(), Some(&hospital_csrf)).await;
    assert_eq!((page.status, body["code"].as_str()), (403, Some("role_not_allowed")));

    assert_eq!(app.evidence_count().await, before, "nothing was stored");
    let (page, _) = upload(&mut merchant, photo_form(), Some(&csrf)).await;
    assert_eq!(page.status, 201, "the same upload with the token registers");
}

#[tokio::test]
async fn image_pages_a_bad_file_is_refused_with_its_code_and_in_words() {
    let app = TestApp::spawn_with(|s| s.max_image_bytes = 40_000).await;
    let (mut merchant, csrf) = logged_in(&app, app.key(TenantRole::Merchant)).await;
    let register = merchant.get("/register").await.body;
    assert!(register.contains(r#"data-max-bytes="40000""#) && register.contains("at most 39 KiB each"), "the limit");
    let before = app.evidence_count().await;
    let mut truncated = photo(4);
    truncated.truncate(truncated.len() / 3);
    let mut big = Cursor::new(Vec::new());
    picture(4, 960, 720).write_to(&mut big, ImageFormat::Png).unwrap();
    let cases: [(Vec<u8>, &str, u16, &str, &str); 4] = [
        (b"just some text".to_vec(), "notes.jpg", 415, "unsupported_media_type", "not a JPEG, PNG or WebP picture"),
        (big.into_inner(), "big.png", 413, "too_large", "too large: a picture may have at most 39 KiB"),
        (truncated, "cut.jpg", 422, "image_corrupt", "damaged or incomplete"),
        (Vec::new(), "empty.jpg", 422, "empty_file", "the file is empty"),
    ];
    for (bytes, name, status, code, words) in cases {
        let (page, body) = upload(&mut merchant, form(bytes, name, "", "", false), Some(&csrf)).await;
        assert_eq!(page.headers["content-type"], "application/problem+json");
        assert_eq!((page.status, body["code"].as_str().unwrap()), (status, code), "{name}: {body}");
        assert!(body["message"].as_str().unwrap().contains(words), "{name}: {body}");
    }
    let long_title = form(photo(4), "a.jpg", &"t".repeat(201), "", false);
    let (page, body) = upload(&mut merchant, long_title, Some(&csrf)).await;
    assert_eq!((page.status, body["errors"][0]["pointer"].as_str()), (422, Some("/title")));
    assert!(body["message"].as_str().unwrap().contains("at most 200 characters"), "{body}");

    merchant.accept_language = Some("zh-CN");
    let (page, body) = upload(&mut merchant, form(b"GIF89a".to_vec(), "x.gif", "", "", false), Some(&csrf)).await;
    assert_eq!(page.status, 415);
    assert_eq!(body["message"], "不是 JPEG、PNG 或 WebP 图片");
    assert_eq!(app.evidence_count().await, before, "nothing was stored");
}

#[tokio::test]
async fn image_pages_search_lists_the_earlier_registration_first() {
    let app = TestApp::spawn().await;
    let merchant_key = app.key(TenantRole::Merchant).to_owned();
    let first = register(&app, &merchant_key, form(photo(5), "dress.jpg", "Blue dress", "Studio Lin", true)).await;
    app.anchored_receipt(&first, &merchant_key).await;
    // A second merchant registers a re-encoded, smaller copy later, as private, from its page.
    let (_, copier_key) = app.store().await.create_tenant("Copycat shop", TenantRole::Merchant, None).await.unwrap();
    let (mut copier, csrf) = logged_in(&app, &copier_key).await;
    let (page, body) =
        upload(&mut copier, form(copy_of(5), "mine.jpg", "Copied dress", "Copycat", false), Some(&csrf)).await;
    assert_eq!(page.status, 201, "{body}");
    let second = body["id"].as_str().unwrap().to_owned();
    app.anchored_receipt(&second, &copier_key).await;
    register(&app, &merchant_key, form(photo(6), "other.jpg", "Another picture", "", true)).await;

    let mut anonymous = Browser::new(&app.base);
    let form_page = anonymous.get("/search").await;
    assert_eq!(form_page.status, 200);
    assert!(form_page.body.contains("Who registered this picture first?"));
    let page = search(&mut anonymous, photo(5), None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let cards: Vec<&str> = page.body.split(r#"<li class="card match"#).skip(1).collect();
    assert_eq!(cards.len(), 2, "the photo and its copy, not the other picture: {}", page.body);
    let (earliest, later) = (cards[0], cards[1]);
    assert!(earliest.contains(&format!(r#"href="/e/{first}""#)), "the earlier registration comes first");
    assert!(later.contains(&format!(r#"href="/e/{second}""#)));
    for shown in [
        "Blue dress",
        "Studio Lin",
        "Demo merchant",
        &format!(r#"src="/e/{first}/thumbnail.jpg""#),
        "earliest",
        "identical file",
        "court (court), notary (notary)",
        "anchored: co-signed by the witnesses",
    ] {
        assert!(earliest.contains(shown), "the earliest registration shows {shown}");
    }
    assert!(later.contains("similar picture:") && later.contains("fingerprint bits differ"), "the copy's likeness");
    assert!(later.contains("registered this picture as private") && !later.contains("earliest"));
    for hidden in ["Copied dress", "Copycat", "thumbnail.jpg"] {
        assert!(!later.contains(hidden), "the private copy's {hidden} is not shown");
    }

    let page = search(&mut anonymous, photo(7), None).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("No registration of this picture, or of a copy of it, was found."));

    let page = search(&mut anonymous, b"not a picture".to_vec(), None).await;
    assert_eq!(page.status, 415);
    assert!(page.body.contains("not a JPEG, PNG or WebP picture"), "{}", page.body);
    let page = search(&mut anonymous, photo(5), Some("forged")).await;
    assert_eq!(page.status, 403, "a foreign CSRF token");
    let no_token = Form::new().part("file", Part::bytes(photo(5)).file_name("found.jpg"));
    assert_eq!(anonymous.post_multipart("/search", no_token).await.status, 403, "no CSRF token");
    let csrf = anonymous.get("/search").await.csrf();
    let no_file = Form::new().text("csrf", csrf).part("file", Part::bytes(Vec::new()).file_name(""));
    let page = anonymous.post_multipart("/search", no_file).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("choose a picture first"));

    anonymous.accept_language = Some("zh-CN");
    let page = search(&mut anonymous, photo(5), None).await;
    assert!(page.body.contains("文件完全相同") && page.body.contains("最早"), "in Chinese");
}

#[tokio::test]
async fn image_pages_a_private_picture_shows_itself_to_its_owner_only() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let private = register(&app, &key, form(photo(8), "sketch.jpg", "Secret sketch", "Hidden Author", false)).await;
    let public = register(&app, &key, form(photo(9), "poster.jpg", "Summer poster", "Studio Lin", true)).await;
    app.anchored_receipt(&private, &key).await;
    app.anchored_receipt(&public, &key).await;
    let (private_page, public_page) = (format!("/e/{private}"), format!("/e/{public}"));

    let (_, other_key) = app.store().await.create_tenant("Other shop", TenantRole::Merchant, None).await.unwrap();
    let (other, _) = logged_in(&app, &other_key).await;
    for mut visitor in [Browser::new(&app.base), other] {
        let page = visitor.get(&private_page).await;
        assert_eq!(page.status, 200);
        for hidden in ["Secret sketch", "Hidden Author", "Demo merchant", "sketch.jpg", "thumbnail.jpg"] {
            assert!(!page.body.contains(hidden), "the private picture's page shows {hidden}");
        }
        assert!(page.body.contains("registered this picture as private"));
        assert!(page.body.contains("<td>court</td>") && page.body.contains("<td>notary</td>"), "the co-signers");
        assert_eq!(visitor.get(&format!("{private_page}/thumbnail.jpg")).await.status, 404);

        let page = visitor.get(&public_page).await;
        for shown in ["Summer poster", "Studio Lin", "Demo merchant", &format!(r#"src="{public_page}/thumbnail.jpg""#)]
        {
            assert!(page.body.contains(shown), "the public picture's page shows {shown}");
        }
        assert!(page.body.contains("<td>court</td>") && page.body.contains("<td>notary</td>"), "the co-signers");
        assert!(!page.body.contains("poster.jpg"), "the file name is the owner's");
        let thumbnail = visitor.get(&format!("{public_page}/thumbnail.jpg")).await;
        assert_eq!((thumbnail.status, thumbnail.headers["content-type"].to_str().unwrap()), (200, "image/jpeg"));
        assert_eq!(image::guess_format(&thumbnail.bytes).unwrap(), ImageFormat::Jpeg);
    }

    let (mut owner, _) = logged_in(&app, &key).await;
    let page = owner.get(&private_page).await;
    for shown in ["Secret sketch", "Hidden Author", &format!(r#"src="{private_page}/thumbnail.jpg""#), "only you see"] {
        assert!(page.body.contains(shown), "the owner sees {shown}");
    }
    assert_eq!(owner.get(&format!("{private_page}/thumbnail.jpg")).await.status, 200);
}

#[tokio::test]
async fn image_pages_uploads_count_against_the_merchants_quota() {
    use notarium::config::Quota;
    // A byte quota of two uploads that refills at one byte a second: the third upload is over it
    // however slowly the machine runs (a request quota refills while a slow upload goes on).
    let burst = 2 * photo(60).len() as u64 + 4096;
    let app = TestApp::spawn_with(move |s| {
        s.rate_limits.merchant = Quota { bytes_per_second: 1, burst_bytes: burst, ..s.rate_limits.merchant };
    })
    .await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let (mut merchant, csrf) = logged_in(&app, &key).await;
    let mut statuses = Vec::new();
    for seed in 0..4 {
        let (page, body) = upload(&mut merchant, form(photo(60 + seed), "p.jpg", "P", "", false), Some(&csrf)).await;
        statuses.push(page.status);
        if page.status == 429 {
            assert_eq!(body["code"], "rate_limited", "{body}");
            assert!(page.headers.contains_key("retry-after"));
        }
    }
    assert_eq!(statuses[0], 201, "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    app.stop().await;
}
