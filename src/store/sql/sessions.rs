//! Page sessions on any SQL backend: opened with an API key, ended by logout, expiry, or the
//! key's revocation.

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use openssl::sha::sha256;

use super::{Sql, args};
use crate::domain::Timestamp;
use crate::store::rows::{self, TENANT_COLUMNS};
use crate::store::sessions::{Session, SessionStore, random_token};
use crate::store::tenants::{TenantStore, hash_api_key};

#[async_trait]
impl<S: Sql> SessionStore for S {
    /// Opens a session for the tenant owning `api_key`; `None` when the key is unknown,
    /// revoked or its tenant disabled. Returns the session token (for the cookie) and the
    /// session. Expired sessions are swept on the way.
    async fn open_session(&self, api_key: &str, lifetime: Duration) -> anyhow::Result<Option<(String, Session)>> {
        let key_hash = hash_api_key(api_key);
        let Some(tenant) = self.tenant_by_key_hash(&key_hash).await? else { return Ok(None) };
        let (token, csrf) = (random_token()?, random_token()?);
        let now = Timestamp::now().unix_millis();
        let expires = now.saturating_add(i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX));
        let insert =
            "INSERT INTO sessions (token_hash, key_hash, csrf, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)";
        self.transaction(vec![
            ("DELETE FROM sessions WHERE expires_ms <= $1", args![now]),
            (insert, args![sha256(token.as_bytes()).to_vec(), &key_hash, &csrf, now, expires]),
        ])
        .await
        .context("inserting the session")?;
        Ok(Some((token, Session { tenant, csrf })))
    }

    /// The live session of `token`: unexpired, its key unrevoked, its tenant enabled.
    async fn session(&self, token: &str) -> anyhow::Result<Option<Session>> {
        let sql = format!(
            "SELECT {TENANT_COLUMNS}, s.csrf FROM sessions s \
             JOIN api_keys k ON k.key_hash = s.key_hash JOIN tenants t ON t.id = k.tenant_id \
             WHERE s.token_hash = $1 AND s.expires_ms > $2 AND k.revoked_ms IS NULL AND NOT t.disabled"
        );
        let row = self.fetch_optional(&sql, args![sha256(token.as_bytes()).to_vec(), Timestamp::now()]).await?;
        row.as_ref().map(rows::session).transpose()
    }

    /// Ends the session of `token` (logout); whether it existed.
    async fn close_session(&self, token: &str) -> anyhow::Result<bool> {
        let done = self
            .execute("DELETE FROM sessions WHERE token_hash = $1", args![sha256(token.as_bytes()).to_vec()])
            .await?;
        Ok(done == 1)
    }
}
