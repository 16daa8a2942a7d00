//! Page sessions: opened with an API key, ended by logout, expiry, or the key's revocation.

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use openssl::sha::sha256;

use super::PgStore;
use super::codec;
use super::tenants::{TENANT_COLUMNS, tenant_from_row};
use crate::domain::Timestamp;
use crate::store::sessions::{Session, SessionStore, random_token};
use crate::store::tenants::{TenantStore, hash_api_key};

#[async_trait]
impl SessionStore for PgStore {
    async fn open_session(&self, api_key: &str, lifetime: Duration) -> anyhow::Result<Option<(String, Session)>> {
        let key_hash = hash_api_key(api_key);
        let Some(tenant) = self.tenant_by_key_hash(&key_hash).await? else { return Ok(None) };
        let (token, csrf) = (random_token()?, random_token()?);
        let now = Timestamp::now().unix_millis();
        let expires = now.saturating_add(i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX));
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_ms <= $1").bind(now).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, key_hash, csrf, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(sha256(token.as_bytes()).as_slice())
        .bind(key_hash.as_slice())
        .bind(&csrf)
        .bind(now)
        .bind(expires)
        .execute(&mut *tx)
        .await
        .context("inserting the session")?;
        tx.commit().await?;
        Ok(Some((token, Session { tenant, csrf })))
    }

    async fn session(&self, token: &str) -> anyhow::Result<Option<Session>> {
        let sql = format!(
            "SELECT {TENANT_COLUMNS}, s.csrf FROM sessions s \
             JOIN api_keys k ON k.key_hash = s.key_hash JOIN tenants t ON t.id = k.tenant_id \
             WHERE s.token_hash = $1 AND s.expires_ms > $2 AND k.revoked_ms IS NULL AND NOT t.disabled"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(sha256(token.as_bytes()).as_slice())
            .bind(Timestamp::now().unix_millis())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| Ok(Session { tenant: tenant_from_row(&r)?, csrf: codec::get(&r, "csrf")? })).transpose()
    }

    async fn close_session(&self, token: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(sha256(token.as_bytes()).as_slice())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
