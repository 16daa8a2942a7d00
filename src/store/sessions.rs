//! Page sessions: opened with an API key, ended by logout, expiry, or the key's revocation.

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::tenants::Tenant;

/// A logged-in browser: the tenant and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub tenant: Tenant,
    pub csrf: String,
}

/// 256 random bits, base64url: session tokens and CSRF tokens.
pub fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    openssl::rand::rand_bytes(&mut bytes).context("random bytes for a token")?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Opens a session for the tenant owning `api_key`; `None` when the key is unknown,
    /// revoked or its tenant disabled. Returns the session token (for the cookie) and the
    /// session. Expired sessions are swept on the way.
    async fn open_session(&self, api_key: &str, lifetime: Duration) -> anyhow::Result<Option<(String, Session)>>;

    /// The live session of `token`: unexpired, its key unrevoked, its tenant enabled.
    async fn session(&self, token: &str) -> anyhow::Result<Option<Session>>;

    /// Ends the session of `token` (logout); whether it existed.
    async fn close_session(&self, token: &str) -> anyhow::Result<bool>;
}
