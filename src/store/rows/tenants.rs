//! Tenants, their API keys, client certificates and page sessions.

use super::StoredRow;
use crate::domain::Timestamp;
use crate::store::sessions::Session;
use crate::store::tenants::{ApiKeyInfo, ClientCertInfo, Tenant};

/// The columns [`tenant`] reads, for a `SELECT` from `tenants` (aliased `t` where joined).
pub(crate) const TENANT_COLUMNS: &str = "t.id, t.name, t.role, t.issuer_code, t.disabled";

pub(crate) fn tenant(r: &impl StoredRow) -> anyhow::Result<Tenant> {
    Ok(Tenant {
        id: r.tenant_id("id")?,
        name: r.string("name")?,
        role: r.word("role")?,
        issuer_code: r.maybe_string("issuer_code")?,
        disabled: r.flag("disabled")?,
    })
}

pub(crate) fn api_key(r: &impl StoredRow) -> anyhow::Result<ApiKeyInfo> {
    Ok(ApiKeyInfo { label: r.string("label")?, created: r.time("created_ms")?, revoked: r.maybe_time("revoked_ms")? })
}

pub(crate) fn client_cert(r: &impl StoredRow) -> anyhow::Result<ClientCertInfo> {
    Ok(ClientCertInfo {
        fingerprint: r.bytes32("fingerprint")?,
        subject: r.string("subject")?,
        // Certificates valid past the range of times read as having no end.
        not_after: r.maybe_int("not_after_ms")?.and_then(Timestamp::from_unix_millis),
        created: r.time("created_ms")?,
        revoked: r.maybe_time("revoked_ms")?,
    })
}

/// A session: the tenant's columns and `csrf`.
pub(crate) fn session(r: &impl StoredRow) -> anyhow::Result<Session> {
    Ok(Session { tenant: tenant(r)?, csrf: r.string("csrf")? })
}
