//! Why a picture was refused, in the visitor's words: one function per error type, each an
//! exhaustive match (a new variant does not compile until it has words). `None` means a
//! server fault, shown as the problem's own reference.

use crate::http::multipart::FormError;
use crate::http::multipart::picture::RegistrationFormError;
use crate::pages::i18n::Messages;
use crate::service::images::{InputError, PictureError, RegisterError, SearchError};

/// A refused form; `max_bytes` is the size limit of a picture.
pub(super) fn form_words(t: &'static Messages, e: &FormError, max_bytes: u64) -> Option<String> {
    Some(match e {
        FormError::TooLarge { .. } => t.problem_file_too_large.replace("{size}", &size_words(max_bytes)),
        FormError::Missing(_) => t.problem_missing_file.to_owned(),
        FormError::NameTooLong { .. } => t.problem_file_name.to_owned(),
        FormError::CsrfRejected => t.error_csrf.to_owned(),
        FormError::NotMultipart(_) | FormError::Malformed(_) | FormError::UnknownField { .. } | FormError::NotUtf8 => {
            e.to_string()
        }
        FormError::Internal(_) => return None,
    })
}

/// A title, author or `public` that cannot be used.
pub(super) fn input_words(t: &'static Messages, e: &InputError) -> String {
    match e {
        InputError::TooLong(_) | InputError::ControlCharacters(_) => t.problem_text.to_owned(),
        InputError::NotABoolean(_) => e.to_string(),
    }
}

pub(super) fn registration_form_words(
    t: &'static Messages,
    e: &RegistrationFormError,
    max_bytes: u64,
) -> Option<String> {
    match e {
        RegistrationFormError::Form(e) => form_words(t, e, max_bytes),
        RegistrationFormError::Input(e) => Some(input_words(t, e)),
    }
}

/// A file that is not a usable picture.
pub(super) fn picture_words(t: &'static Messages, e: &PictureError) -> String {
    match e {
        PictureError::Empty => t.problem_empty.to_owned(),
        PictureError::NotAPicture { .. } => t.problem_not_picture.to_owned(),
        PictureError::TooManyPixels { max_pixels, .. } => {
            t.problem_too_many_pixels.replace("{mp}", &format!("{}", (*max_pixels as f64 / 1e6).round()))
        }
        PictureError::Corrupt { .. } => t.problem_corrupt.to_owned(),
    }
}

pub(super) fn register_words(t: &'static Messages, e: &RegisterError) -> Option<String> {
    Some(match e {
        RegisterError::RoleForbidden { .. } => t.only_merchants.to_owned(),
        RegisterError::Picture(e) => picture_words(t, e),
        RegisterError::MetadataTooLarge | RegisterError::KeyReused | RegisterError::Busy(_) => e.to_string(),
        RegisterError::Internal(_) => return None,
    })
}

pub(super) fn search_words(t: &'static Messages, e: &SearchError) -> Option<String> {
    match e {
        SearchError::Picture(e) => Some(picture_words(t, e)),
        SearchError::Busy(e) => Some(e.to_string()),
        SearchError::Internal(_) => None,
    }
}

/// A size in words: `30 MiB`, `1.5 MiB`, `512 KiB`, `900 B`.
pub(super) fn size_words(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KIB * KIB {
        format!("{} MiB", (b / (KIB * KIB) * 10.0).round() / 10.0)
    } else if b >= KIB {
        format!("{} KiB", (b / KIB).round())
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::Lang;
    use crate::service::images::TextField;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_words(30 << 20), "30 MiB");
        assert_eq!(size_words(3 << 19), "1.5 MiB");
        assert_eq!(size_words(512 << 10), "512 KiB");
        assert_eq!(size_words(900), "900 B");
    }

    #[test]
    fn refusals_of_a_picture_are_words_in_both_languages() {
        let not_picture = PictureError::NotAPicture { detail: "gif".into() };
        let pixels = PictureError::TooManyPixels { max_pixels: 100_000_000, detail: "x".into() };
        let too_large = FormError::TooLarge { what: "the file", limit: 30 << 20 };
        for lang in [Lang::En, Lang::Zh] {
            let t = lang.messages();
            assert_eq!(picture_words(t, &not_picture), t.problem_not_picture);
            assert!(form_words(t, &too_large, 30 << 20).unwrap().contains("30 MiB"));
            assert!(picture_words(t, &pixels).contains("100"));
            assert_eq!(input_words(t, &InputError::TooLong(TextField::Title)), t.problem_text);
        }
        let content_type = FormError::NotMultipart("text/plain".into());
        let words = form_words(Lang::En.messages(), &content_type, 1).unwrap();
        assert!(words.contains("send multipart"), "{words}");
    }
}
