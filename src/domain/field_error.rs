//! One problem with one field of an input, pointed at by an RFC 6901 JSON pointer: what the
//! operations give back when their input breaks a rule, and what the edges show.

/// One problem with one field of the input (RFC 6901 pointer).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub pointer: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), code: code.into(), message: message.into() }
    }
}
