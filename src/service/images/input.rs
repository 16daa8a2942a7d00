//! The registration's own fields, parsed: a title or an author (trimmed, bounded, printable)
//! and `public`.

/// Characters of a title or an author.
pub const MAX_TEXT_CHARS: usize = 200;
/// Characters of the file name kept in metadata.
pub const MAX_NAME_CHARS: usize = 255;

/// Which text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Title,
    Author,
}

impl TextField {
    pub fn name(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Author => "author",
        }
    }
}

/// A registration field that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// A title or an author longer than [`MAX_TEXT_CHARS`].
    #[error("at most {MAX_TEXT_CHARS} characters")]
    TooLong(TextField),
    /// A title or an author with control characters.
    #[error("control characters are not allowed")]
    ControlCharacters(TextField),
    /// `public` is neither true nor false (in any spelling a form sends).
    #[error("public is true or false, not {0:?}")]
    NotABoolean(String),
}

/// A title or author: trimmed, empty means absent, at most 200 characters, no control characters.
pub fn text(value: &str, field: TextField) -> Result<Option<String>, InputError> {
    let value = value.trim();
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(InputError::TooLong(field));
    }
    if value.chars().any(char::is_control) {
        return Err(InputError::ControlCharacters(field));
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

/// `public`: `true`/`false` (also `on`, `1`, `0`, and empty for false, as HTML forms send them).
pub fn flag(value: &str) -> Result<bool, InputError> {
    match value.trim() {
        "true" | "on" | "1" => Ok(true),
        "false" | "off" | "0" | "" => Ok(false),
        other => Err(InputError::NotABoolean(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_printable() {
        assert_eq!(text("  Red dress ", TextField::Title).unwrap(), Some("Red dress".into()));
        assert_eq!(text("   ", TextField::Title).unwrap(), None);
        assert_eq!(text(&"字".repeat(200), TextField::Title).unwrap().map(|t| t.chars().count()), Some(200));
        assert_eq!(text(&"a".repeat(201), TextField::Title).unwrap_err(), InputError::TooLong(TextField::Title));
        let control = text("a\u{7}b", TextField::Author).unwrap_err();
        assert_eq!(control, InputError::ControlCharacters(TextField::Author));
    }

    #[test]
    fn public_takes_form_and_json_spellings() {
        for (v, want) in [("true", true), ("on", true), ("1", true), ("false", false), ("", false), ("0", false)] {
            assert_eq!(flag(v).unwrap(), want, "{v}");
        }
        assert_eq!(flag("yes please").unwrap_err(), InputError::NotABoolean("yes please".into()));
    }
}
