//! The picture forms that the API and the pages share: a registration (`file`, and optionally
//! `title`, `author` and `public`) and a search (one `file`, after a `csrf` field on the page).

use actix_web::{HttpRequest, web};

use super::{Field, FormError, MAX_TEXT_FIELD, Part, Spec, read, require_multipart};
use crate::http::multipart::Limits;
use crate::problem::Problem;
use crate::service::images::{InputError, MAX_NAME_CHARS, Registration, TextField, flag, text};

/// Why a registration form was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationFormError {
    /// The form itself (not multipart, too large, an unknown field, no file, ...).
    #[error(transparent)]
    Form(#[from] FormError),
    /// A title, author or `public` that cannot be used.
    #[error(transparent)]
    Input(#[from] InputError),
}

impl From<InputError> for Problem {
    fn from(e: InputError) -> Self {
        let message = e.to_string();
        match e {
            InputError::TooLong(field) => Problem::invalid_field(format!("/{}", field.name()), "too_long", message),
            InputError::ControlCharacters(field) => {
                Problem::invalid_field(format!("/{}", field.name()), "invalid_text", message)
            }
            InputError::NotABoolean(_) => Problem::invalid_field("/public", "invalid_type", message),
        }
    }
}

impl From<RegistrationFormError> for Problem {
    fn from(e: RegistrationFormError) -> Self {
        match e {
            RegistrationFormError::Form(e) => e.into(),
            RegistrationFormError::Input(e) => e.into(),
        }
    }
}

/// Reads a registration; the file goes to a temporary file, refused past `max_image_bytes`.
pub async fn read_registration(
    req: &HttpRequest,
    payload: web::Payload,
    limits: &Limits,
    idempotency_key: Option<String>,
) -> Result<Registration, RegistrationFormError> {
    require_multipart(req)?;
    let fields = [
        Field::once("file", Part::File { max: limits.max_image_bytes, max_name: MAX_NAME_CHARS }),
        Field::new("title", Part::Text { max: MAX_TEXT_FIELD }),
        Field::new("author", Part::Text { max: MAX_TEXT_FIELD }),
        Field::new("public", Part::Text { max: MAX_TEXT_FIELD }),
    ];
    let blobs = limits.blobs();
    let takes = "file, title, author and public";
    let mut form = read(req, payload, &Spec { fields: &fields, takes, blobs: Some(&blobs), csrf: None }).await?;
    let file = form.file("file").ok_or(FormError::Missing("file"))?;
    let optional = |value: Option<String>, field| value.map_or(Ok(None), |v| text(&v, field));
    let title = optional(form.text("title"), TextField::Title)?;
    let author = optional(form.text("author"), TextField::Author)?;
    let public = form.text("public").map_or(Ok(false), |v| flag(&v))?;
    Ok(Registration { file, title, author, public, idempotency_key })
}

/// A suspect picture as sent.
pub struct Suspect {
    pub bytes: Vec<u8>,
    /// The part named a file (a browser's empty file input names none).
    pub named: bool,
}

/// Reads a search form: one `file` in memory (at most `max_bytes`; `None` when absent). With
/// `csrf`, the form must carry a `csrf` field that `csrf` accepts, before the file (so no file
/// is read for a forged form). Any other field is refused.
pub async fn read_suspect(
    req: &HttpRequest,
    payload: web::Payload,
    max_bytes: u64,
    csrf: Option<&dyn Fn(&str) -> bool>,
) -> Result<Option<Suspect>, FormError> {
    let fields = [Field::once("file", Part::Bytes { max: max_bytes as usize, what: "the file" })];
    let spec = Spec { fields: &fields, takes: "one file", blobs: None, csrf };
    let Some(sent) = read(req, payload, &spec).await?.take("file") else { return Ok(None) };
    let named = sent.file_name.as_deref().is_some_and(|n| !n.is_empty());
    Ok(sent.into_bytes().map(|bytes| Suspect { bytes, named }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_fields_are_refused_at_their_pointer() {
        let too_long = Problem::from(text(&"a".repeat(201), TextField::Title).unwrap_err());
        assert_eq!((too_long.errors[0].pointer.as_str(), too_long.errors[0].code.as_str()), ("/title", "too_long"));
        let control = Problem::from(text("a\u{7}b", TextField::Author).unwrap_err());
        assert_eq!((control.errors[0].pointer.as_str(), control.errors[0].code.as_str()), ("/author", "invalid_text"));
        let public = Problem::from(flag("yes please").unwrap_err());
        assert_eq!(public.errors[0].pointer, "/public");
        assert_eq!(public.errors[0].code, "invalid_type");
    }
}
