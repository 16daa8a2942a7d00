//! Slow clients and chunked bodies: headers and bodies that dribble in are cut off (`408`
//! where a reply is still possible), and a chunked body counts against the byte quota like one
//! with a `Content-Length`.

use std::time::Duration;

use notarium::config::Quota;
use notarium::domain::{Hash, TenantRole};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::TestApp;

/// Sends `head` and then one byte a second, for at most a minute, while reading the answer:
/// what the server sent before it closed the connection, or `None` when it kept it open
/// until `deadline`.
async fn dribble(app: &TestApp, head: &str, deadline: Duration) -> Option<String> {
    let addr = app.base.trim_start_matches("http://");
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    write.write_all(head.as_bytes()).await.unwrap();
    // The client's pace, not a wait for the server: one byte a second.
    let writer = tokio::spawn(async move {
        for _ in 0..60 {
            if write.write_all(b"x").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(deadline, async {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = read.read(&mut buf).await {
            answer.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    writer.abort();
    closed.ok().map(|()| String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn headers_that_dribble_in_are_cut_off() {
    let app = TestApp::spawn_with(|s| s.request_header_timeout_ms = 1_000).await;
    let answer = dribble(&app, "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ", Duration::from_secs(4)).await;
    let answer = answer.expect("the connection was still open after 4 s (the default header timeout is 5 s)");
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn a_body_that_dribbles_in_gets_408() {
    let app = TestApp::spawn_with(|s| {
        s.request_body_timeout_ms = 1_000;
        s.min_request_bytes_per_second = 100;
    })
    .await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let head = format!(
        "POST /v1/evidence HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    );
    let answer = dribble(&app, &head, Duration::from_secs(15)).await;
    let answer = answer.expect("the connection was still open after 15 s");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
    assert_eq!(app.evidence_count().await, 0);

    // A body sent at once still goes through.
    app.register(b"quick").await;
}

#[tokio::test]
async fn a_chunked_body_counts_against_the_byte_quota() {
    let app = TestApp::spawn_with(|s| {
        let quota = Quota { bytes_per_second: 100, burst_bytes: 1_000, ..s.rate_limits.merchant };
        s.rate_limits.merchant = quota;
    })
    .await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let body = format!(
        r#"{{"kind":"document","content_hash":"{}","metadata":{{"note":"{}"}}}}"#,
        Hash::of(b"big"),
        "x".repeat(4_000)
    );
    // Sent with `Transfer-Encoding: chunked`, no `Content-Length`.
    let mut request = format!(
        "POST /v1/evidence HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    for chunk in body.as_bytes().chunks(500) {
        request.push_str(&format!("{:x}\r\n{}\r\n", chunk.len(), std::str::from_utf8(chunk).unwrap()));
    }
    request.push_str("0\r\n\r\n");
    let mut stream = TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let _ = stream.write_all(request.as_bytes()).await; // the server may answer before it has all
    let mut answer = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), stream.read_to_string(&mut answer)).await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("\r\nretry-after: "), "{answer}");
    assert!(answer.contains("\"code\":\"rate_limited\""), "{answer}");
    assert_eq!(app.evidence_count().await, 0, "nothing written");
}

/// A chunked `POST /register/upload` of `photo` by a logged-in browser: the raw answer.
async fn chunked_page_upload(app: &TestApp, cookies: &str, csrf: &str, photo: &[u8]) -> String {
    let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".to_vec();
    body.extend_from_slice(photo);
    body.extend_from_slice(b"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nP\r\n--XyZ--\r\n");
    let mut request = format!(
        "POST /register/upload HTTP/1.1\r\nHost: a\r\nCookie: {cookies}\r\nX-CSRF-Token: {csrf}\r\n\
         Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(4096) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let mut stream = TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let _ = stream.write_all(&request).await;
    let mut answer = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), stream.read_to_string(&mut answer)).await;
    answer
}

#[tokio::test]
async fn a_chunked_page_upload_counts_against_the_byte_quota() {
    let app = TestApp::spawn_with(|s| {
        let quota = Quota { bytes_per_second: 1, burst_bytes: 1_000, ..s.rate_limits.merchant };
        s.rate_limits.merchant = quota;
    })
    .await;
    let mut browser = crate::browser_session::Browser::new(&app.base);
    assert_eq!(crate::pages::log_in(&mut browser, app.key(TenantRole::Merchant)).await.status, 303);
    let csrf = browser.get("/").await.csrf();
    let cookies = browser.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    // The first upload, larger than the burst, takes the whole burst (as one with a length
    // would); the next finds none left.
    let first = chunked_page_upload(&app, &cookies, &csrf, &crate::image_pages::photo(1)).await;
    assert!(first.starts_with("HTTP/1.1 201"), "{first}");
    let second = chunked_page_upload(&app, &cookies, &csrf, &crate::image_pages::photo(2)).await;
    assert!(second.starts_with("HTTP/1.1 429"), "{second}");
    assert!(second.contains("\"code\":\"rate_limited\""), "{second}");
    assert_eq!(app.evidence_count().await, 1, "nothing written for the refused upload");
}
