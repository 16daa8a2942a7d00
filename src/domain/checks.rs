//! One named check of a verification report, and how the rules make one.

use serde::Serialize;

/// One named check. `ok` is `None` when the check does not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Check {
    pub name: String,
    pub ok: Option<bool>,
    pub detail: String,
}

pub(super) fn passed(name: &str, detail: impl Into<String>) -> Check {
    Check { name: name.into(), ok: Some(true), detail: detail.into() }
}

pub(super) fn failed(name: &str, detail: impl Into<String>) -> Check {
    Check { name: name.into(), ok: Some(false), detail: detail.into() }
}

pub(super) fn not_applicable(name: &str, detail: &str) -> Check {
    Check { name: name.into(), ok: None, detail: detail.into() }
}

pub(super) fn outcome(name: String, o: Result<String, String>) -> Check {
    match o {
        Ok(detail) => Check { name, ok: Some(true), detail },
        Err(detail) => Check { name, ok: Some(false), detail },
    }
}
