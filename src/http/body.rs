//! Reading request bodies: a size limit while streaming, JSON syntax errors as
//! `400 malformed_body`, shape and value errors as `422 invalid_field` with an RFC 6901 pointer.

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest, dev};
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::problem::{FieldError, Problem};

/// Largest JSON body accepted (a batch of 10,000 items with metadata).
pub const MAX_JSON_BYTES: usize = 16 << 20;

/// A JSON body, read only when the handler asks ([`JsonBody::read`]): after its role check, so
/// that a wrong role is `403` whatever was sent.
pub struct JsonBody<T> {
    req: HttpRequest,
    payload: dev::Payload,
    wanted: PhantomData<T>,
}

impl<T> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut dev::Payload) -> Self::Future {
        ready(Ok(JsonBody { req: req.clone(), payload: payload.take(), wanted: PhantomData }))
    }
}

impl<T: DeserializeOwned> JsonBody<T> {
    /// `415` unless the body is `application/json`, `413` past `limit` bytes, then [`parse_json`].
    pub async fn read(self, limit: usize) -> Result<T, Problem> {
        require_json(&self.req)?;
        parse_json(&read_limited(self.payload, limit).await?)
    }
}

/// Reads the whole body, refusing it with `413 too_large` past `limit` bytes.
pub async fn read_limited<E: std::fmt::Display>(
    payload: impl Stream<Item = Result<Bytes, E>> + Unpin,
    limit: usize,
) -> Result<BytesMut, Problem> {
    collect_limited(payload, limit, "the body").await
}

/// Collects a stream of chunks (a body, a multipart field), refusing `what` with
/// `413 too_large` as soon as it passes `limit` bytes; a read error is `400 malformed_body`.
pub async fn collect_limited<E: std::fmt::Display>(
    mut chunks: impl Stream<Item = Result<Bytes, E>> + Unpin,
    limit: usize,
    what: &str,
) -> Result<BytesMut, Problem> {
    let mut out = BytesMut::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| Problem::malformed(format!("reading {what}: {e}")))?;
        if out.len() + chunk.len() > limit {
            return Err(Problem::too_large(format!("{what} is larger than {limit} bytes")));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The media type of the request, lowercased, without parameters.
pub fn media_type(req: &HttpRequest) -> String {
    let value = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    value.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Requires `Content-Type: application/json`.
pub fn require_json(req: &HttpRequest) -> Result<(), Problem> {
    match media_type(req).as_str() {
        "application/json" => Ok(()),
        other => Err(unsupported(other, "application/json")),
    }
}

/// `415 unsupported_media_type`.
pub fn unsupported(got: &str, accepted: &str) -> Problem {
    let got = if got.is_empty() { "no Content-Type" } else { got };
    Problem::new(
        actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!("{got} is not accepted here; send {accepted}"),
    )
}

/// Parses JSON into `T`, mapping every failure to the right problem.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        match inner.classify() {
            // A shape error may come before a syntax error later in the body (`{} {}`): the
            // body is only "invalid" when it is well-formed JSON.
            Category::Data => match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                Ok(_) => field_problem(&e),
                Err(syntax) => Problem::malformed(format!("the body is not valid JSON: {syntax}")),
            },
            Category::Syntax | Category::Eof | Category::Io => {
                Problem::malformed(format!("the body is not valid JSON: {inner}"))
            }
        }
    })?;
    de.end().map_err(|e| Problem::malformed(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

fn field_problem(e: &serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let message = e.inner().to_string();
    let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
    let mut pointer = String::new();
    for segment in e.path().iter() {
        use serde_path_to_error::Segment;
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } | Segment::Enum { variant: key } => pointer.push_str(&format!("/{}", escape(key))),
            Segment::Unknown => {}
        }
    }
    let code = if let Some(field) = message.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
        let token = format!("/{}", escape(field));
        if !pointer.ends_with(&token) {
            pointer.push_str(&token);
        }
        "unknown_field"
    } else if message.starts_with("missing field") {
        "missing_field"
    } else {
        "invalid"
    };
    Problem::invalid(vec![FieldError { pointer, code: code.into(), message }])
}

/// RFC 6901 escaping of one reference token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        content_hash: crate::domain::Hash,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Batch {
        items: Vec<Item>,
    }

    fn problem(json: &str) -> serde_json::Value {
        parse_json::<Batch>(json.as_bytes()).unwrap_err().body()
    }

    #[test]
    fn syntax_is_400_and_shape_is_422_with_a_pointer() {
        let h = "a".repeat(64);
        assert!(parse_json::<Batch>(format!(r#"{{"items":[{{"content_hash":"{h}"}}]}}"#).as_bytes()).is_ok());
        assert_eq!(problem("{")["code"], "malformed_body");
        assert_eq!(problem("{} {}")["code"], "malformed_body");
        let p = problem(&format!(r#"{{"items":[{{"content_hash":"{h}"}},{{"content_hash":"AB"}}]}}"#));
        assert_eq!(p["status"], 422);
        assert_eq!(p["errors"][0]["pointer"], "/items/1/content_hash");
        let p = problem(&format!(r#"{{"items":[{{"content_hash":"{h}","x/y":1}}]}}"#));
        assert_eq!(p["errors"][0]["pointer"], "/items/0/x~1y");
        assert_eq!(p["errors"][0]["code"], "unknown_field");
        assert_eq!(problem("{}")["errors"][0]["code"], "missing_field");
    }
}
