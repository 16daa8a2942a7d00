//! The one multipart reader of the upload routes, over raw body bytes: the first line of the
//! input is the boundary, the rest the body. Limits hold whatever the parts say.
#![no_main]

use actix_web::http::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use actix_web::web::Bytes;
use libfuzzer_sys::fuzz_target;
use notarium::http::multipart::{Field, Part, Spec, Value, read_stream};

const FIELDS: [Field; 3] = [
    Field::new("title", Part::Text { max: 64 }),
    Field::once("data", Part::Bytes { max: 256, what: "the data" }),
    Field::new("file", Part::Hash { max: 1024 }),
];

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (boundary, body) = data.split_at(split);
    let Ok(boundary) = std::str::from_utf8(boundary) else { return };
    let Ok(content_type) = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}")) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, content_type);
    let body = Bytes::copy_from_slice(body.get(1..).unwrap_or_default());
    // Delivered in small chunks, as a slow client sends them.
    let chunks: Vec<_> = body.chunks(7).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let spec = Spec { fields: &FIELDS, takes: "title, data, file", blobs: None, csrf: None };
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    let form = runtime.block_on(read_stream(&headers, futures_util::stream::iter(chunks), &spec));
    if let Ok(mut form) = form {
        if let Some(sent) = form.take("title") {
            assert!(matches!(sent.value, Value::Text(ref t) if t.len() <= 64), "text within its limit");
        }
        if let Some(sent) = form.take("data") {
            assert!(matches!(sent.value, Value::Bytes(ref b) if b.len() <= 256), "bytes within their limit");
        }
        if let Some(sent) = form.take("file") {
            assert!(matches!(sent.value, Value::Hashed { size, .. } if size <= 1024), "file within its limit");
        }
    }
});
