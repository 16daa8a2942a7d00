//! The pages: what the public, another tenant and the owner see; login, logout and CSRF;
//! the verify page; blocks; languages.

use notarium::domain::{Receipt, TenantRole};
use reqwest::multipart::{Form, Part};

use crate::browser_session::{Browser, Page};
use crate::support::TestApp;

/// An uploaded record with a private title, anchored; returns its evidence JSON and receipt.
async fn private_record(app: &TestApp) -> (serde_json::Value, Receipt) {
    let key = app.key(TenantRole::Merchant);
    let form = Form::new()
        .part("file", Part::bytes(b"the merchant's private photo bytes".to_vec()).file_name("secret-name.jpg"))
        .text("metadata", r#"{"title":"Private launch photo"}"#);
    let res = app.http.post(app.url("/v1/evidence")).bearer_auth(key).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let evidence: serde_json::Value = res.json().await.unwrap();
    let receipt = app.anchored_receipt(evidence["id"].as_str().unwrap(), key).await;
    (evidence, receipt)
}

/// Logs `browser` in with `key` through the login form.
pub async fn log_in(browser: &mut Browser, key: &str) -> Page {
    let form = browser.get("/login").await;
    browser.post_form("/login", &[("csrf", &form.csrf()), ("api_key", key), ("next", "/")]).await
}

fn assert_private_fields_hidden(page: &Page, receipt: &Receipt) {
    let ev = &receipt.evidence;
    for secret in [ev.content_hash.to_string(), ev.salt.to_string(), ev.meta_hash.to_string()] {
        assert!(!page.body.contains(&secret), "the page shows {secret}");
    }
    // The how-to-verify text names receipt.zip; a download link for it is the owner's only.
    for secret in ["Private launch photo", "secret-name.jpg", "sha256", "receipt.json", "/receipt.zip\""] {
        assert!(!page.body.contains(secret), "the page shows {secret}");
    }
}

#[tokio::test]
async fn evidence_page_shows_the_public_facts_to_others_and_everything_to_the_owner() {
    let app = TestApp::spawn().await;
    let (evidence, receipt) = private_record(&app).await;
    let path = format!("/e/{}", evidence["id"].as_str().unwrap());

    let mut public = Browser::new(&app.base);
    let page = public.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Evidence certificate"));
    assert!(page.body.contains("document"), "the kind");
    assert!(page.body.contains(&receipt.evidence.received.to_string()), "the registration time");
    assert!(page.body.contains(&format!(r#"href="/blocks/{}""#, receipt.block.height)), "the block");
    assert!(page.body.contains("anchored: co-signed by the witnesses"));
    assert!(page.body.contains("<td>court</td>") && page.body.contains("<td>notary</td>"), "the witnesses");
    assert!(page.body.contains("<svg"), "the QR code");
    assert!(page.body.contains(&format!("{}{path}", app.base)), "the QR code's address is the page");
    assert_private_fields_hidden(&page, &receipt);
    assert!(page.headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));

    let mut other = Browser::new(&app.base);
    assert_eq!(log_in(&mut other, app.key(TenantRole::Hospital)).await.status, 303);
    let page = other.get(&path).await;
    assert!(page.body.contains("Demo hospital"), "logged in as the hospital");
    assert_private_fields_hidden(&page, &receipt);
    assert_eq!(other.get(&format!("{path}/receipt.json")).await.status, 404);
    assert_eq!(public.get(&format!("{path}/receipt.json")).await.status, 404);

    let mut owner = Browser::new(&app.base);
    log_in(&mut owner, app.key(TenantRole::Merchant)).await;
    let page = owner.get(&path).await;
    for shown in [receipt.evidence.content_hash.to_string(), receipt.evidence.salt.to_string()] {
        assert!(page.body.contains(&shown), "the owner sees {shown}");
    }
    assert!(page.body.contains("Private launch photo") && page.body.contains("secret-name.jpg"));
    assert!(page.body.contains(&format!(r#"href="{path}/receipt.json""#)));
    let download = owner.get(&format!("{path}/receipt.json")).await;
    assert_eq!(download.status, 200);
    assert!(download.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(Receipt::from_json(download.body.as_bytes()).unwrap(), receipt);

    let zip = owner.get(&format!("{path}/receipt.zip")).await;
    assert_eq!(zip.status, 200);
    assert_eq!(zip.headers["content-type"], "application/zip");
    assert_eq!(notarium::bundle::read_receipt(&zip.bytes).unwrap(), receipt);
    assert_eq!(other.get(&format!("{path}/receipt.zip")).await.status, 404);
    assert_eq!(owner.get(&format!("{path}/other.txt")).await.status, 404);

    let home = owner.get("/").await;
    assert!(home.body.contains(&format!(r#"href="{path}""#)), "the owner's records are listed on the home page");

    assert_eq!(public.get("/e/not-an-id").await.status, 404);
    assert_eq!(public.get("/e/01a200a4-5fba-7006-922a-90969a007b2f").await.status, 404);
}

#[tokio::test]
async fn login_sets_a_strict_http_only_session_and_logout_ends_it() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app.base);
    let form = browser.get("/login").await;
    let csrf_cookie = form.set_cookie("csrf").expect("a CSRF cookie for the form");
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"), "{csrf_cookie}");

    let wrong = browser.post_form("/login", &[("csrf", &form.csrf()), ("api_key", "ntk_not-a-key")]).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("This API key is unknown"));
    assert!(wrong.set_cookie("session").is_none());

    let ok = log_in(&mut browser, app.key(TenantRole::Merchant)).await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.headers["location"], "/");
    let session = ok.set_cookie("session").expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(session.contains(attribute), "{session} lacks {attribute}");
    }
    let home = browser.get("/").await;
    assert!(home.body.contains("Demo merchant"));

    // Logging out needs the session's CSRF token, not the anonymous one.
    let refused = browser.post_form("/logout", &[("csrf", csrf_cookie_value(csrf_cookie))]).await;
    assert_eq!(refused.status, 403);
    assert!(browser.get("/").await.body.contains("Demo merchant"), "still logged in");
    let token = browser.get("/").await.csrf();
    let out = browser.post_form("/logout", &[("csrf", &token)]).await;
    assert_eq!(out.status, 303);
    assert!(!browser.get("/").await.body.contains("Demo merchant"));

    // An old session cookie replayed after logout is worth nothing.
    let mut replay = Browser::new(&app.base);
    let old = session.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    replay.cookies.insert("session".into(), old);
    assert!(!replay.get("/").await.body.contains("Demo merchant"));
}

fn csrf_cookie_value(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap().split_once('=').unwrap().1
}

#[tokio::test]
async fn a_revoked_key_ends_its_sessions() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app.base);
    log_in(&mut browser, app.key(TenantRole::Merchant)).await;
    assert!(browser.get("/").await.body.contains("Demo merchant"));
    assert!(app.store().await.revoke_api_key(app.key(TenantRole::Merchant)).await.unwrap());
    assert!(!browser.get("/").await.body.contains("Demo merchant"));
}

#[tokio::test]
async fn every_form_refuses_a_missing_or_foreign_csrf_token() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant);
    let (_, receipt) = private_record(&app).await;
    let receipt_part = || Part::bytes(receipt.to_json_pretty().into_bytes()).file_name("receipt.json");

    let mut browser = Browser::new(&app.base);
    let token = browser.get("/login").await.csrf();
    let mut attacker = Browser::new(&app.base);
    let foreign = attacker.get("/login").await.csrf();
    assert_ne!(token, foreign);

    for csrf in [None, Some(""), Some(foreign.as_str()), Some("x")] {
        let mut form = vec![("api_key", key)];
        form.extend(csrf.map(|c| ("csrf", c)));
        let page = browser.post_form("/login", &form).await;
        assert_eq!(page.status, 403, "login with {csrf:?}");
        assert!(page.set_cookie("session").is_none());
        assert!(page.body.contains("did not come from this site"));

        let mut multipart = Form::new().part("receipt", receipt_part());
        if let Some(c) = csrf {
            multipart = multipart.text("csrf", c.to_owned());
        }
        let page = browser.post_multipart("/verify", multipart).await;
        assert_eq!(page.status, 403, "verify with {csrf:?}");
        assert!(!page.body.contains("verdict"));

        let page = browser.post_form("/logout", &csrf.map(|c| vec![("csrf", c)]).unwrap_or_default()).await;
        assert_eq!(page.status, 403, "logout with {csrf:?}");
    }
    // No cookie at all: a form posted from elsewhere.
    let mut stranger = Browser::new(&app.base);
    let page = stranger.post_form("/login", &[("csrf", &token), ("api_key", key)]).await;
    assert_eq!(page.status, 403);
}

#[tokio::test]
async fn verify_page_gives_the_checklist_in_plain_words() {
    let app = TestApp::spawn().await;
    let (_, receipt) = private_record(&app).await;
    let mut browser = Browser::new(&app.base);
    let csrf = browser.get("/verify").await.csrf();
    let send = |json: String, file: Option<&'static [u8]>| {
        let mut form = Form::new()
            .text("csrf", csrf.clone())
            .part("receipt", Part::bytes(json.into_bytes()).file_name("receipt.json"));
        // A browser sends an empty file input as a part with an empty file name.
        form = form.part(
            "file",
            Part::bytes(file.unwrap_or_default().to_vec()).file_name(if file.is_some() { "photo.jpg" } else { "" }),
        );
        form
    };

    let page = browser.post_multipart("/verify", send(receipt.to_json_pretty(), None)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<span id="verdict">Valid</span>"#), "{}", page.body);
    // The plain answers come first, before the checklist.
    let summary = page.body.find(r#"<ul class="summary""#).expect("the plain answers");
    assert!(summary < page.body.find(r#"<ul class="checks""#).unwrap());
    assert!(page.body[summary..].contains("<li>No file was given: the receipt was checked, not a file.</li>"));
    assert!(page.body.contains("<li>The receipt is valid: the record is in block"));
    assert!(page.body.contains("Witness court signed the block header"));
    assert!(page.body.contains("Enough independent witnesses signed"));
    assert!(page.body.contains(
        r#"The file you gave is exactly the registered content</span> <span class="state">(not applicable)"#
    ));
    assert!(page.body.contains("What this proves") && page.body.contains("no later than"));
    assert!(page.body.contains("That the content is true, lawful or complete."));

    let page = browser
        .post_multipart("/verify", send(receipt.to_json_pretty(), Some(b"the merchant's private photo bytes")))
        .await;
    assert!(page.body.contains("The file given is exactly the registered content."));
    assert!(page.body.contains("<li>This is the registered file.</li>"));
    let page = browser.post_multipart("/verify", send(receipt.to_json_pretty(), Some(b"another file"))).await;
    assert!(page.body.contains(r#"<span id="verdict">Invalid</span>"#));
    assert!(page.body.contains("<li>This is NOT the file that was registered.</li>"));
    assert!(page.body.contains("<li>The receipt is valid"), "the receipt itself is still valid");
    assert!(page.body.contains(r#"class="check failed""#));

    let mut tampered = receipt.clone();
    tampered.proof.leaf_index += 1;
    let page = browser.post_multipart("/verify", send(tampered.to_json_pretty(), None)).await;
    assert!(page.body.contains(r#"<span id="verdict">Invalid</span>"#));
    assert!(
        page.body.contains("<li>The receipt is invalid: these checks failed: inclusion_proof.</li>"),
        "{}",
        page.body
    );

    let page = browser.post_multipart("/verify", send("{not json".into(), None)).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains(r#"class="error""#));

    browser.accept_language = Some("zh-CN,zh;q=0.9");
    let page = browser.post_multipart("/verify", send(receipt.to_json_pretty(), None)).await;
    assert!(page.body.contains(r#"<span id="verdict">有效</span>"#));
    assert!(page.body.contains("见证人 court 签署了区块头"));
    assert!(page.body.contains("这些字节最迟在"));
    assert!(page.body.contains("<li>未提供文件：只核对了收据，没有核对文件。</li>"));
    assert!(page.body.contains("<li>收据有效："));
    let page = browser.post_multipart("/verify", send(receipt.to_json_pretty(), Some(b"another file"))).await;
    assert!(page.body.contains("<li>这不是所登记的文件。</li>"));
}

#[tokio::test]
async fn blocks_pages_list_blocks_with_their_witnesses() {
    let app = TestApp::spawn().await;
    let (_, receipt) = private_record(&app).await;
    let mut browser = Browser::new(&app.base);
    let list = browser.get("/blocks").await;
    assert_eq!(list.status, 200);
    let height = receipt.block.height;
    assert!(list.body.contains(&format!(r#"<a href="/blocks/{height}">#{height}</a>"#)));
    assert!(list.body.contains("court (court)") && list.body.contains("notary (notary)"));

    let block = browser.get(&format!("/blocks/{height}")).await;
    assert_eq!(block.status, 200);
    assert!(block.body.contains(&receipt.block.block_hash.to_string()));
    assert!(block.body.contains(&format!("height {height}\n")), "the header text");
    assert_eq!(browser.get("/blocks/999999").await.status, 404);
    assert_eq!(browser.get("/blocks/x").await.status, 404);
}

#[tokio::test]
async fn language_follows_accept_language_and_the_switch_sticks() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app.base);
    assert!(browser.get("/").await.body.contains(r#"<html lang="en">"#));
    browser.accept_language = Some("zh-CN,zh;q=0.9,en;q=0.5");
    let page = browser.get("/").await;
    assert!(page.body.contains(r#"<html lang="zh-Hans">"#) && page.body.contains("证明您最先拥有"));
    assert!(page.body.contains(r#"href="/?lang=en""#), "the switch leads to English");

    let switched = browser.get("/blocks?lang=en").await;
    assert!(switched.body.contains(r#"<html lang="en">"#));
    assert!(switched.set_cookie("lang").is_some_and(|c| c.starts_with("lang=en")));
    assert!(browser.get("/").await.body.contains(r#"<html lang="en">"#), "the choice overrides Accept-Language");
    assert!(browser.get("/?lang=zh").await.body.contains("区块"));
    assert!(browser.get("/public/style.css").await.body.contains("@media print"));
}
