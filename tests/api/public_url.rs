//! Absolute URLs the service prints (the certificate page's URL and QR code) come from the
//! `public_url` setting, or the bound listen address: never from `Host` or `X-Forwarded-Host`.

use crate::support::TestApp;

/// The certificate page of a new record, asked for with forged host headers.
async fn page_with_forged_hosts(app: &TestApp) -> String {
    let id = app.register(b"the certified bytes").await.id;
    let res = app
        .http
        .get(app.url(&format!("/e/{id}")))
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("forwarded", "host=evil.example;proto=https")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains(&format!("/e/{id}")), "{page}");
    page
}

#[tokio::test]
async fn the_page_url_is_the_listen_address_by_default_whatever_the_host_header() {
    let app = TestApp::spawn().await;
    let page = page_with_forged_hosts(&app).await;
    assert!(!page.contains("evil.example"), "{page}");
    assert!(page.contains(&format!("{}/e/", app.base)), "the bound address {}: {page}", app.base);
}

#[tokio::test]
async fn the_page_url_is_public_url_when_set() {
    let app = TestApp::spawn_with(|s| s.public_url = Some("https://notary.example.org/base/".into())).await;
    let page = page_with_forged_hosts(&app).await;
    assert!(!page.contains("evil.example"), "{page}");
    assert!(page.contains("https://notary.example.org/base/e/"), "{page}");
}

/// The `Set-Cookie` headers of the login page, asked for with a forged `https` scheme.
async fn cookies_with_forged_https(app: &TestApp) -> Vec<String> {
    let res = app
        .http
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .header("forwarded", "proto=https")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookies: Vec<String> =
        res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert!(!cookies.is_empty(), "the login page sets its CSRF cookie");
    cookies
}

#[tokio::test]
async fn cookies_are_secure_by_public_url_never_by_a_forwarded_scheme() {
    let app = TestApp::spawn().await;
    for cookie in cookies_with_forged_https(&app).await {
        assert!(!cookie.contains("Secure"), "plain http, whatever X-Forwarded-Proto says: {cookie}");
    }
    app.stop().await;
    let app = TestApp::spawn_with(|s| s.public_url = Some("https://notary.example.org".into())).await;
    for cookie in cookies_with_forged_https(&app).await {
        assert!(cookie.contains("Secure"), "public_url is https: {cookie}");
    }
    app.stop().await;
}
