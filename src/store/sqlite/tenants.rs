//! Tenants and their API keys.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::Row;

use super::SqliteStore;
use super::codec::{self, id_bytes};
use crate::domain::{TenantId, TenantRole, Timestamp};
use crate::store::credential_cache::Credential;
use crate::store::tenants::new_api_key;
use crate::store::tenants::{ApiKeyInfo, Tenant, TenantStore, hash_api_key};

#[async_trait]
impl TenantStore for SqliteStore {
    /// Creates a tenant and its first key; returns the key text (shown once).
    async fn create_tenant(
        &self,
        name: &str,
        role: TenantRole,
        issuer_code: Option<&str>,
    ) -> anyhow::Result<(Tenant, String)> {
        let tenant = Tenant {
            id: TenantId::generate(),
            name: name.to_owned(),
            role,
            issuer_code: issuer_code.map(str::to_owned),
            disabled: false,
        };
        let mut tx = self.pool().begin().await?;
        sqlx::query("INSERT INTO tenants (id, name, role, issuer_code, created_ms) VALUES (?, ?, ?, ?, ?)")
            .bind(id_bytes(&tenant.id))
            .bind(&tenant.name)
            .bind(codec::stored(role))
            .bind(&tenant.issuer_code)
            .bind(Timestamp::now().unix_millis())
            .execute(&mut *tx)
            .await
            .context("inserting the tenant")?;
        let key = new_api_key()?;
        insert_key(&mut tx, &tenant.id, &key, "first key").await?;
        tx.commit().await?;
        Ok((tenant, key))
    }

    async fn list_tenants(&self) -> anyhow::Result<Vec<Tenant>> {
        let rows = sqlx::query("SELECT id, name, role, issuer_code, disabled FROM tenants ORDER BY created_ms, name")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(tenant_from_row).collect()
    }

    async fn tenants_with_active_keys(&self) -> anyhow::Result<Vec<(Tenant, u64)>> {
        let rows = sqlx::query(
            "SELECT id, name, role, issuer_code, disabled, \
               (SELECT COUNT(*) FROM api_keys k WHERE k.tenant_id = t.id AND k.revoked_ms IS NULL) AS active_keys \
             FROM tenants t ORDER BY created_ms, name",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok((tenant_from_row(r)?, r.try_get::<i64, _>("active_keys")? as u64))).collect()
    }

    async fn tenant(&self, id: &TenantId) -> anyhow::Result<Option<Tenant>> {
        let row = sqlx::query("SELECT id, name, role, issuer_code, disabled FROM tenants WHERE id = ?")
            .bind(id_bytes(id))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(tenant_from_row).transpose()
    }

    /// The enabled tenant owning an unrevoked key, if any.
    async fn tenant_by_key_hash(&self, key_hash: &[u8; 32]) -> anyhow::Result<Option<Tenant>> {
        self.tenant_by_credential(Credential::ApiKey, key_hash).await
    }

    /// Adds a key to a tenant and returns its text (shown once).
    async fn add_api_key(&self, tenant: &TenantId, label: &str) -> anyhow::Result<String> {
        let key = new_api_key()?;
        let mut tx = self.pool().begin().await?;
        insert_key(&mut tx, tenant, &key, label).await?;
        tx.commit().await?;
        Ok(key)
    }

    /// Revokes every unrevoked key of the tenant; returns how many.
    async fn revoke_api_keys(&self, tenant: &TenantId) -> anyhow::Result<u64> {
        let done = sqlx::query("UPDATE api_keys SET revoked_ms = ? WHERE tenant_id = ? AND revoked_ms IS NULL")
            .bind(Timestamp::now().unix_millis())
            .bind(id_bytes(tenant))
            .execute(self.pool())
            .await?;
        self.credentials.clear();
        Ok(done.rows_affected())
    }

    /// Revokes one key given its text; returns whether it existed unrevoked.
    async fn revoke_api_key(&self, key: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE api_keys SET revoked_ms = ? WHERE key_hash = ? AND revoked_ms IS NULL")
            .bind(Timestamp::now().unix_millis())
            .bind(hash_api_key(key).as_slice())
            .execute(self.pool())
            .await?;
        self.credentials.clear();
        Ok(done.rows_affected() == 1)
    }

    async fn set_tenant_disabled(&self, tenant: &TenantId, disabled: bool) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE tenants SET disabled = ? WHERE id = ?")
            .bind(disabled)
            .bind(id_bytes(tenant))
            .execute(self.pool())
            .await?;
        self.credentials.clear();
        Ok(done.rows_affected() == 1)
    }

    async fn api_keys(&self, tenant: &TenantId) -> anyhow::Result<Vec<ApiKeyInfo>> {
        let rows =
            sqlx::query("SELECT label, created_ms, revoked_ms FROM api_keys WHERE tenant_id = ? ORDER BY created_ms")
                .bind(id_bytes(tenant))
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiKeyInfo {
                    label: r.try_get("label")?,
                    created: codec::time(r, "created_ms")?,
                    revoked: codec::maybe_time(r, "revoked_ms")?,
                })
            })
            .collect()
    }
}

impl SqliteStore {
    /// The enabled tenant a credential (an API key's hash, a client certificate's
    /// fingerprint) belongs to, unless the credential is revoked.
    pub(super) async fn tenant_by_credential(&self, kind: Credential, id: &[u8; 32]) -> anyhow::Result<Option<Tenant>> {
        if let Some(tenant) = self.credentials.get(kind, id) {
            return Ok(Some(tenant));
        }
        let (table, column) = match kind {
            Credential::ApiKey => ("api_keys", "key_hash"),
            Credential::ClientCert => ("client_certs", "fingerprint"),
        };
        let sql = format!(
            "SELECT t.id, t.name, t.role, t.issuer_code, t.disabled FROM {table} c JOIN tenants t ON t.id = c.tenant_id \
             WHERE c.{column} = ? AND c.revoked_ms IS NULL AND t.disabled = 0"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.as_slice()).fetch_optional(self.pool()).await?;
        let tenant = row.as_ref().map(tenant_from_row).transpose()?;
        if let Some(t) = &tenant {
            self.credentials.put(kind, id, t);
        }
        Ok(tenant)
    }
}

async fn insert_key(tx: &mut sqlx::SqliteConnection, tenant: &TenantId, key: &str, label: &str) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO api_keys (key_hash, tenant_id, label, created_ms) VALUES (?, ?, ?, ?)")
        .bind(hash_api_key(key).as_slice())
        .bind(id_bytes(tenant))
        .bind(label)
        .bind(Timestamp::now().unix_millis())
        .execute(&mut *tx)
        .await
        .context("inserting the API key")?;
    Ok(())
}

pub(super) fn tenant_from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<Tenant> {
    Ok(Tenant {
        id: codec::tenant_id(r, "id")?,
        name: r.try_get("name")?,
        role: codec::word(r, "role")?,
        issuer_code: r.try_get("issuer_code")?,
        disabled: r.try_get("disabled")?,
    })
}
