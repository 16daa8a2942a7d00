//! The registration form (`multipart/form-data`): `file`, and optionally `title`, `author` and
//! `public`. The same form comes from the API and from the `/register` page.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use crate::http::body::{media_type, unsupported};
use crate::http::upload::{Limits, Received, stream_to_temp, text_field};
use crate::problem::Problem;

/// Characters of a title or an author.
pub const MAX_TEXT_CHARS: usize = 200;
/// Characters of the file name kept in metadata.
pub const MAX_NAME_CHARS: usize = 255;

/// A registration as sent.
pub struct ImageForm {
    pub file: Received,
    pub title: Option<String>,
    pub author: Option<String>,
    pub public: bool,
}

/// Reads the form; the file goes to a temporary file, refused past `max_image_bytes`.
pub async fn read_form(req: &HttpRequest, payload: web::Payload, limits: &Limits) -> Result<ImageForm, Problem> {
    let media = media_type(req);
    if media != "multipart/form-data" {
        return Err(unsupported(&media, "multipart/form-data"));
    }
    let mut form = Multipart::new(req.headers(), payload);
    let (mut file, mut title, mut author, mut public) = (None, None, None, false);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| Problem::malformed(format!("multipart: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if file.is_none() => {
                let file_name = field.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_owned);
                if file_name.as_ref().is_some_and(|n| n.chars().count() > MAX_NAME_CHARS) {
                    return Err(Problem::invalid_field(
                        "/file",
                        "name_too_long",
                        format!("the file name is longer than {MAX_NAME_CHARS} characters"),
                    ));
                }
                file = Some(stream_to_temp(&mut field, file_name, limits.max_image_bytes, limits).await?);
            }
            "title" => title = text(text_field(&mut field).await?, "/title")?,
            "author" => author = text(text_field(&mut field).await?, "/author")?,
            "public" => public = flag(&text_field(&mut field).await?)?,
            other => {
                return Err(Problem::invalid_field(
                    format!("/{other}"),
                    "unknown_field",
                    "the form takes file, title, author and public",
                ));
            }
        }
    }
    let file = file.ok_or_else(|| Problem::invalid_field("/file", "missing_field", "the form has no file field"))?;
    Ok(ImageForm { file, title, author, public })
}

/// A title or author: trimmed, empty means absent, at most 200 characters, no control characters.
fn text(value: String, pointer: &str) -> Result<Option<String>, Problem> {
    let value = value.trim();
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(Problem::invalid_field(pointer, "too_long", format!("at most {MAX_TEXT_CHARS} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(Problem::invalid_field(pointer, "invalid_text", "control characters are not allowed"));
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

/// `public`: `true`/`false` (also `on`, `1`, `0`, and empty for false, as HTML forms send them).
fn flag(value: &str) -> Result<bool, Problem> {
    match value.trim() {
        "true" | "on" | "1" => Ok(true),
        "false" | "off" | "0" | "" => Ok(false),
        other => {
            Err(Problem::invalid_field("/public", "invalid_type", format!("public is true or false, not {other:?}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_printable() {
        assert_eq!(text("  Red dress ".into(), "/title").unwrap(), Some("Red dress".into()));
        assert_eq!(text("   ".into(), "/title").unwrap(), None);
        assert_eq!(text("字".repeat(200), "/title").unwrap().map(|t| t.chars().count()), Some(200));
        assert_eq!(text("a".repeat(201), "/title").unwrap_err().errors[0].code, "too_long");
        assert_eq!(text("a\u{7}b".into(), "/author").unwrap_err().errors[0].code, "invalid_text");
    }

    #[test]
    fn public_takes_form_and_json_spellings() {
        for (v, want) in [("true", true), ("on", true), ("1", true), ("false", false), ("", false), ("0", false)] {
            assert_eq!(flag(v).unwrap(), want, "{v}");
        }
        assert_eq!(flag("yes please").unwrap_err().errors[0].pointer, "/public");
    }
}
