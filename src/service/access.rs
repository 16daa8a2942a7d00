//! Who is calling: a tenant by API key or by mapped client certificate, its role, and the
//! browser sessions opened with a key.

use std::time::Duration;

use crate::domain::TenantRole;
use crate::service::Caller;
use crate::store::{Store, Tenant, hash_api_key};

/// Why a credential does not authenticate.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The API key is unknown, revoked, or its tenant is disabled.
    #[error("the API key is unknown, revoked or disabled")]
    UnknownKey,
    /// The client certificate is not mapped to an enabled tenant, or its mapping was revoked.
    #[error("the client certificate is not mapped to an enabled tenant, or its mapping was revoked")]
    UnmappedCertificate,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The caller's tenant has another role than the operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("only a {} tenant may do this; this key's tenant is a {}", .needed.as_str(), .actual.as_str())]
pub struct RoleForbidden {
    pub needed: TenantRole,
    pub actual: TenantRole,
}

impl Caller {
    /// `Ok` when the caller's tenant has `role`.
    pub fn require(&self, role: TenantRole) -> Result<(), RoleForbidden> {
        match self.0.role {
            actual if actual == role => Ok(()),
            actual => Err(RoleForbidden { needed: role, actual }),
        }
    }
}

/// The tenant of an API key.
pub async fn by_key(store: &Store, key: &str) -> Result<Tenant, AuthError> {
    store.tenant_by_key_hash(&hash_api_key(key)).await?.ok_or(AuthError::UnknownKey)
}

/// The tenant an operator mapped this client certificate (SHA-256 of its DER) to.
pub async fn by_client_cert(store: &Store, fingerprint: &[u8; 32]) -> Result<Tenant, AuthError> {
    store.tenant_by_client_cert(fingerprint).await?.ok_or(AuthError::UnmappedCertificate)
}

/// Longest API key a login form takes.
const MAX_KEY_CHARS: usize = 200;

/// Opens a browser session for the tenant of `key`, for `lifetime`, and closes the session the
/// browser had (`previous`) once the new one is open. Returns the new session's token.
pub async fn log_in(store: &Store, key: &str, previous: Option<&str>, lifetime: Duration) -> Result<String, AuthError> {
    let key = key.trim();
    if key.is_empty() || key.len() > MAX_KEY_CHARS {
        return Err(AuthError::UnknownKey);
    }
    let (token, _) = store.open_session(key, lifetime).await?.ok_or(AuthError::UnknownKey)?;
    if let Some(old) = previous {
        store.close_session(old).await?;
    }
    Ok(token)
}

/// Ends the session of `token` (nothing happens for an unknown one).
pub async fn log_out(store: &Store, token: &str) -> anyhow::Result<()> {
    store.close_session(token).await.map(|_| ())
}
