//! The strict `name value` line format shared by leaf texts and block headers.
//!
//! A text is a tag line followed by fields, each `name` + one space + value, every line (the
//! last included) ending with `\n`. The reader takes the fields in a fixed order and refuses
//! anything else: other order, unknown or missing lines, extra spaces, an empty value, `\r`.

/// Why a text is not in the expected line format. Each variant names the line (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinesError {
    /// The text is empty or its last line has no final `\n`.
    #[error("the text must end with a newline")]
    NoFinalNewline,
    /// The first line is not the expected tag (wrong format or version).
    #[error("line 1: expected {expected:?}")]
    WrongTag { expected: &'static str },
    /// A field line is missing or has a different name than the one expected at that place.
    #[error("line {line}: expected the field {expected:?}")]
    ExpectedField { line: usize, expected: &'static str },
    /// The value is empty, or holds a space or a control character.
    #[error("line {line}: the value of {field:?} is empty or holds a space or control character")]
    BadValueChars { line: usize, field: &'static str },
    /// The value does not parse as the field's type.
    #[error("line {line}: bad value for {field:?}: {reason}")]
    BadValue { line: usize, field: &'static str, reason: String },
    /// More lines follow the last expected field.
    #[error("line {line}: unexpected extra line")]
    ExtraLine { line: usize },
}

/// Reads fields one by one, in order, from a text whose tag line has been checked.
pub struct LineReader<'a> {
    lines: std::str::Split<'a, char>,
    line: usize,
}

impl<'a> LineReader<'a> {
    pub fn new(text: &'a str, tag: &'static str) -> Result<Self, LinesError> {
        let body = text.strip_suffix('\n').ok_or(LinesError::NoFinalNewline)?;
        let mut lines = body.split('\n');
        if lines.next() != Some(tag) {
            return Err(LinesError::WrongTag { expected: tag });
        }
        Ok(Self { lines, line: 1 })
    }

    /// The value of the next line, which must be the field `name`.
    pub fn field(&mut self, name: &'static str) -> Result<&'a str, LinesError> {
        self.line += 1;
        let line = self.line;
        let value = self
            .lines
            .next()
            .and_then(|l| l.strip_prefix(name))
            .and_then(|rest| rest.strip_prefix(' '))
            .ok_or(LinesError::ExpectedField { line, expected: name })?;
        if value.is_empty() || value.chars().any(|c| c == ' ' || c.is_control()) {
            return Err(LinesError::BadValueChars { line, field: name });
        }
        Ok(value)
    }

    /// The next field parsed with `FromStr`.
    pub fn parsed<T>(&mut self, name: &'static str) -> Result<T, LinesError>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        let value = self.field(name)?;
        value.parse().map_err(|e: T::Err| LinesError::BadValue { line: self.line, field: name, reason: e.to_string() })
    }

    /// The next field as a decimal integer without sign or leading zeros.
    pub fn integer(&mut self, name: &'static str) -> Result<u64, LinesError> {
        let value = self.field(name)?;
        let bad = |reason: &str| LinesError::BadValue { line: self.line, field: name, reason: reason.into() };
        if !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("expected decimal digits"));
        }
        if value.len() > 1 && value.starts_with('0') {
            return Err(bad("leading zeros are not allowed"));
        }
        value.parse().map_err(|_| bad("number too large"))
    }

    /// Checks that no line is left.
    pub fn finish(mut self) -> Result<(), LinesError> {
        match self.lines.next() {
            None => Ok(()),
            Some(_) => Err(LinesError::ExtraLine { line: self.line + 1 }),
        }
    }
}

/// For property tests of a line format: `text` with the byte at `pos` replaced by `byte` is
/// either refused by `reparse` or parses to a value that renders back to exactly the changed
/// text (a different but still canonical value). Nothing non-canonical is ever accepted.
#[cfg(test)]
pub(crate) fn changed_byte_is_refused_or_canonical(
    text: &str,
    pos: usize,
    byte: u8,
    reparse: impl Fn(&str) -> Option<String>,
) -> Result<(), proptest::test_runner::TestCaseError> {
    let mut bytes = text.as_bytes().to_vec();
    let pos = pos % bytes.len();
    proptest::prop_assume!(bytes[pos] != byte);
    bytes[pos] = byte;
    if let Ok(changed) = String::from_utf8(bytes)
        && let Some(rendered) = reparse(&changed)
    {
        proptest::prop_assert_eq!(rendered, changed);
    }
    Ok(())
}
