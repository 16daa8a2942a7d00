//! Reading a JSON object field by field, collecting every problem with its RFC 6901 pointer
//! instead of stopping at the first (a hospital fixes all of them in one round).

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::amount::Amount;

/// One problem with one field: where (RFC 6901), a stable code, and words for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidField {
    pub pointer: String,
    pub code: &'static str,
    pub message: String,
}

/// The pointer of `key` inside `at` (RFC 6901 escaping of `~` and `/`).
pub fn pointer(at: &str, key: &str) -> String {
    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"))
}

#[derive(Default)]
pub struct Reader {
    pub errors: Vec<InvalidField>,
}

impl Reader {
    pub fn fail(&mut self, pointer: String, code: &'static str, message: impl Into<String>) {
        self.errors.push(InvalidField { pointer, code, message: message.into() });
    }

    /// The object at `at`, refusing keys other than `allowed`.
    pub fn object<'a>(
        &mut self,
        value: Option<&'a Value>,
        at: &str,
        allowed: &[&str],
    ) -> Option<&'a Map<String, Value>> {
        match value {
            None => {
                self.fail(at.to_owned(), "missing_field", "this field is required");
                None
            }
            Some(Value::Object(map)) => {
                for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
                    self.fail(pointer(at, key), "unknown_field", format!("unknown field; expected one of {allowed:?}"));
                }
                Some(map)
            }
            Some(_) => {
                self.fail(at.to_owned(), "invalid_type", "an object is expected");
                None
            }
        }
    }

    /// A string field that passes `valid` (described by `what`).
    pub fn text(
        &mut self,
        obj: &Map<String, Value>,
        at: &str,
        key: &str,
        valid: fn(&str) -> bool,
        what: &str,
    ) -> Option<String> {
        let at = pointer(at, key);
        match obj.get(key) {
            None => self.fail(at, "missing_field", "this field is required"),
            Some(Value::String(s)) if valid(s) => return Some(s.clone()),
            Some(Value::String(_)) => self.fail(at, "invalid_format", what.to_owned()),
            Some(_) => self.fail(at, "invalid_type", format!("a string is expected: {what}")),
        }
        None
    }

    /// An amount: a string in the canonical form, never a JSON number.
    pub fn amount(&mut self, obj: &Map<String, Value>, at: &str, key: &str) -> Option<Amount> {
        let text = self.text(obj, at, key, |s| s.parse::<Amount>().is_ok(), &super::amount::AmountError.to_string())?;
        text.parse().ok()
    }

    /// A calendar date, `YYYY-MM-DD`.
    pub fn date(&mut self, obj: &Map<String, Value>, at: &str, key: &str) -> Option<NaiveDate> {
        let valid = |s: &str| s.len() == 10 && NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok();
        let text = self.text(obj, at, key, valid, "a valid calendar date, YYYY-MM-DD")?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()
    }
}

/// 1 to `max` characters of letters, digits and `-`.
pub fn code_like(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// 1 to 200 characters without control characters.
pub fn plain_text(s: &str) -> bool {
    (1..=200).contains(&s.chars().count()) && !s.chars().any(char::is_control) && !s.trim().is_empty()
}
