//! The one multipart reader of the upload routes. A route declares its fields (name, what the
//! value is, its byte limit) and gets back the form as sent, or a [`FormError`] (mapped to the
//! same problem on every route: `400 malformed_body`, `422 unknown_field` with the field's
//! pointer, `413 too_large`, `403 csrf_rejected`). Nothing is read past a limit: a file goes
//! to a temporary file, hashed (BLAKE3 and SHA-256) while it streams, or through BLAKE3 only.
//!
//! [`picture`] holds the picture forms that the API and the pages share.

mod limits;
pub mod picture;

pub use limits::Limits;

use actix_multipart::Multipart;
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, web};
use futures_util::{Stream, StreamExt};

use super::body::media_type;
use crate::domain::Hash;
use crate::problem::Problem;
use crate::store::blobs::{Blobs, Received};

/// What a field holds and how large it may be.
pub enum Part {
    /// UTF-8 text in memory, at most `max` bytes.
    Text { max: usize },
    /// Bytes in memory, at most `max`; `what` names the field in the refusal.
    Bytes { max: usize, what: &'static str },
    /// A file streamed to a temporary file beside the originals and hashed, at most `max`
    /// bytes; a file name over `max_name` characters is refused before the file is read.
    File { max: u64, max_name: usize },
    /// A file streamed through BLAKE3 and dropped, at most `max` bytes.
    Hash { max: u64 },
}

/// One field a route takes.
pub struct Field {
    pub name: &'static str,
    pub part: Part,
    /// A second field of this name is refused as unknown (else the last one counts).
    pub once: bool,
}

impl Field {
    pub const fn new(name: &'static str, part: Part) -> Self {
        Self { name, part, once: false }
    }

    pub const fn once(name: &'static str, part: Part) -> Self {
        Self { name, part, once: true }
    }
}

/// A route's form.
pub struct Spec<'a> {
    pub fields: &'a [Field],
    /// The `unknown_field` refusal's detail: what the form takes.
    pub takes: &'static str,
    /// Where [`Part::File`] fields go.
    pub blobs: Option<&'a Blobs>,
    /// When set, a `csrf` field must come first, before any file, and be accepted by it.
    pub csrf: Option<&'a dyn Fn(&str) -> bool>,
}

/// A field's value as read.
pub enum Value {
    Text(String),
    Bytes(Vec<u8>),
    File(Received),
    Hashed { hash: Hash, size: u64 },
}

/// A field as sent: its value and the file name of its part, if it named one.
pub struct Sent {
    pub file_name: Option<String>,
    pub value: Value,
}

impl Sent {
    /// A browser's empty file input: a part naming no file (`filename=""`) and holding nothing.
    pub fn is_blank_file_input(&self) -> bool {
        let empty = match &self.value {
            Value::Text(t) => t.is_empty(),
            Value::Bytes(b) => b.is_empty(),
            Value::File(f) => f.size == 0,
            Value::Hashed { size, .. } => *size == 0,
        };
        self.file_name.as_deref() == Some("") && empty
    }

    /// The bytes of a field read into memory.
    pub fn into_bytes(self) -> Option<Vec<u8>> {
        match self.value {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

/// The fields read, by name.
#[derive(Default)]
pub struct Form {
    sent: Vec<(&'static str, Sent)>,
}

impl Form {
    /// The field `name`, if it was sent.
    pub fn take(&mut self, name: &str) -> Option<Sent> {
        let at = self.sent.iter().position(|(n, _)| *n == name)?;
        Some(self.sent.swap_remove(at).1)
    }

    /// A text field's value.
    pub fn text(&mut self, name: &str) -> Option<String> {
        match self.take(name)?.value {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// A file field's temporary file.
    pub fn file(&mut self, name: &str) -> Option<Received> {
        match self.take(name)?.value {
            Value::File(f) => Some(f),
            _ => None,
        }
    }

    fn put(&mut self, name: &'static str, sent: Sent) {
        self.sent.retain(|(n, _)| *n != name);
        self.sent.push((name, sent));
    }

    fn has(&self, name: &str) -> bool {
        self.sent.iter().any(|(n, _)| *n == name)
    }
}

/// Why a form was refused.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// The request is not `multipart/form-data` (`{0}`: what it is).
    #[error("{0} is not accepted here; send multipart/form-data")]
    NotMultipart(String),
    /// The body is not a readable multipart form, or a part broke off.
    #[error("{0}")]
    Malformed(String),
    /// A field the route does not take, or a second one of a field it takes once.
    #[error("the form takes {takes}")]
    UnknownField { name: String, takes: &'static str },
    /// A field the route needs was not sent.
    #[error("the form has no {0} field")]
    Missing(&'static str),
    /// A field larger than its limit (`what`: the field in words).
    #[error("{what} is larger than {limit} bytes")]
    TooLarge { what: &'static str, limit: u64 },
    /// A text field that is not UTF-8.
    #[error("a text field is not UTF-8")]
    NotUtf8,
    /// A file name longer than `max` characters.
    #[error("the file name is longer than {max} characters")]
    NameTooLong { field: &'static str, max: usize },
    /// The `csrf` field is missing, wrong, or comes after a file.
    #[error("the form's csrf token does not match")]
    CsrfRejected,
    /// The upload could not be written (a server fault).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<FormError> for Problem {
    fn from(e: FormError) -> Self {
        let detail = e.to_string();
        match e {
            FormError::NotMultipart(_) => {
                Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", detail)
            }
            FormError::Malformed(_) | FormError::NotUtf8 => Problem::malformed(detail),
            FormError::UnknownField { name, .. } => Problem::invalid_field(format!("/{name}"), "unknown_field", detail),
            FormError::Missing(field) => Problem::invalid_field(format!("/{field}"), "missing_field", detail),
            FormError::TooLarge { .. } => Problem::too_large(detail),
            FormError::NameTooLong { field, .. } => {
                Problem::invalid_field(format!("/{field}"), "name_too_long", detail)
            }
            FormError::CsrfRejected => Problem::new(StatusCode::FORBIDDEN, "csrf_rejected", detail),
            FormError::Internal(e) => Problem::internal(&e),
        }
    }
}

/// Requires `Content-Type: multipart/form-data` (`415 unsupported_media_type`).
pub fn require_multipart(req: &HttpRequest) -> Result<(), FormError> {
    match media_type(req).as_str() {
        "multipart/form-data" => Ok(()),
        "" => Err(FormError::NotMultipart("no Content-Type".to_owned())),
        other => Err(FormError::NotMultipart(other.to_owned())),
    }
}

/// Reads the form of `spec`, refusing any field it does not declare.
pub async fn read(req: &HttpRequest, payload: web::Payload, spec: &Spec<'_>) -> Result<Form, FormError> {
    read_parts(Multipart::new(req.headers(), payload), spec).await
}

/// [`read`] over any body stream with the request's `headers` (the fuzz target's way in).
pub async fn read_stream<S>(headers: &HeaderMap, body: S, spec: &Spec<'_>) -> Result<Form, FormError>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + 'static,
{
    read_parts(Multipart::new(headers, body), spec).await
}

async fn read_parts(mut parts: Multipart, spec: &Spec<'_>) -> Result<Form, FormError> {
    let (mut form, mut token_checked) = (Form::default(), false);
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|e| FormError::Malformed(format!("multipart: {e}")))?;
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_owned);
        if let (Some(accepts), "csrf") = (spec.csrf, name.as_str()) {
            token_checked = accepts(&text(&mut part, MAX_TEXT_FIELD).await?);
            if !token_checked {
                return Err(FormError::CsrfRejected);
            }
            continue;
        }
        let unknown = || FormError::UnknownField { name: name.clone(), takes: spec.takes };
        let field = spec.fields.iter().find(|f| f.name == name).ok_or_else(unknown)?;
        let is_file = matches!(field.part, Part::File { .. } | Part::Hash { .. });
        if spec.csrf.is_some() && is_file && !token_checked {
            return Err(FormError::CsrfRejected);
        }
        if field.once && form.has(field.name) {
            return Err(unknown());
        }
        let value = match field.part {
            Part::Text { max } => Value::Text(text(&mut part, max).await?),
            Part::Bytes { max, what } => Value::Bytes(collect(&mut part, max, what).await?),
            Part::File { max, max_name } => {
                if file_name.as_ref().is_some_and(|n| n.chars().count() > max_name) {
                    return Err(FormError::NameTooLong { field: field.name, max: max_name });
                }
                let blobs = spec.blobs.ok_or_else(|| anyhow::anyhow!("no blob directory for a file field"))?;
                Value::File(to_temp(&mut part, file_name.clone(), max, blobs).await?)
            }
            Part::Hash { max } => {
                let (hash, size) = hash(&mut part, max).await?;
                Value::Hashed { hash, size }
            }
        };
        form.put(field.name, Sent { file_name, value });
    }
    if spec.csrf.is_some() && !token_checked {
        return Err(FormError::CsrfRejected);
    }
    Ok(form)
}

/// Text fields that take no limit of their own.
pub const MAX_TEXT_FIELD: usize = 64 << 10;

async fn text(part: &mut actix_multipart::Field, max: usize) -> Result<String, FormError> {
    let bytes = collect(part, max, "a text field").await?;
    String::from_utf8(bytes).map_err(|_| FormError::NotUtf8)
}

/// Collects a part in memory, refused as soon as it passes `max` bytes.
async fn collect<E: std::fmt::Display>(
    mut chunks: impl Stream<Item = Result<Bytes, E>> + Unpin,
    max: usize,
    what: &'static str,
) -> Result<Vec<u8>, FormError> {
    let mut out = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| FormError::Malformed(format!("reading {what}: {e}")))?;
        if out.len() + chunk.len() > max {
            linger(chunks).await;
            return Err(FormError::TooLarge { what, limit: max as u64 });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// How much more of a refused part is read (and dropped) before the answer: a part just over
/// its limit ends within it (its closing boundary), and a client still writing those bytes
/// when the connection closes would see a broken pipe instead of the `413`.
const LINGER: usize = 64 << 10;

async fn linger<E>(mut chunks: impl Stream<Item = Result<Bytes, E>> + Unpin) {
    let mut read = 0;
    while read < LINGER {
        match chunks.next().await {
            Some(Ok(chunk)) => read += chunk.len(),
            _ => return,
        }
    }
}

/// Streams a file part through `each` chunk by chunk, refused past `max` bytes.
async fn stream(
    part: &mut actix_multipart::Field,
    max: u64,
    mut each: impl FnMut(&[u8]) -> anyhow::Result<()>,
) -> Result<u64, FormError> {
    let mut size = 0u64;
    while let Some(chunk) = part.next().await {
        let chunk = chunk.map_err(|e| FormError::Malformed(format!("multipart: {e}")))?;
        size += chunk.len() as u64;
        if size > max {
            linger(part).await;
            return Err(FormError::TooLarge { what: "the file", limit: max });
        }
        each(&chunk)?;
    }
    Ok(size)
}

async fn to_temp(
    part: &mut actix_multipart::Field,
    name: Option<String>,
    max: u64,
    blobs: &Blobs,
) -> Result<Received, FormError> {
    let mut receiving = blobs.receive(name)?;
    stream(part, max, |chunk| receiving.write(chunk)).await?;
    Ok(receiving.finish())
}

async fn hash(part: &mut actix_multipart::Field, max: u64) -> Result<(Hash, u64), FormError> {
    let mut hasher = blake3::Hasher::new();
    let size = stream(part, max, |chunk| {
        hasher.update(chunk);
        Ok(())
    })
    .await?;
    Ok((hasher.finalize().into(), size))
}
