//! Tenants and their API keys.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::postgres::{PgConnection, PgRow};

use super::PgStore;
use super::codec::{self, id_bytes};
use crate::domain::{TenantId, TenantRole, Timestamp};
use crate::store::credential_cache::Credential;
use crate::store::tenants::new_api_key;
use crate::store::tenants::{ApiKeyInfo, Tenant, TenantStore, hash_api_key};

pub(super) const TENANT_COLUMNS: &str = "t.id, t.name, t.role, t.issuer_code, t.disabled";

#[async_trait]
impl TenantStore for PgStore {
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
        sqlx::query("INSERT INTO tenants (id, name, role, issuer_code, created_ms) VALUES ($1, $2, $3, $4, $5)")
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
        let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants t ORDER BY t.created_ms, t.name");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(self.pool()).await?;
        rows.iter().map(tenant_from_row).collect()
    }

    async fn tenants_with_active_keys(&self) -> anyhow::Result<Vec<(Tenant, u64)>> {
        let sql = format!(
            "SELECT {TENANT_COLUMNS}, \
               (SELECT count(*) FROM api_keys k WHERE k.tenant_id = t.id AND k.revoked_ms IS NULL) AS active_keys \
             FROM tenants t ORDER BY t.created_ms, t.name"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((tenant_from_row(r)?, codec::uint(r, "active_keys")?))).collect()
    }

    async fn tenant(&self, id: &TenantId) -> anyhow::Result<Option<Tenant>> {
        let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id_bytes(id)).fetch_optional(self.pool()).await?;
        row.as_ref().map(tenant_from_row).transpose()
    }

    async fn tenant_by_key_hash(&self, key_hash: &[u8; 32]) -> anyhow::Result<Option<Tenant>> {
        self.tenant_by_credential(Credential::ApiKey, key_hash).await
    }

    async fn add_api_key(&self, tenant: &TenantId, label: &str) -> anyhow::Result<String> {
        let key = new_api_key()?;
        let mut conn = self.pool().acquire().await?;
        insert_key(&mut conn, tenant, &key, label).await?;
        Ok(key)
    }

    async fn revoke_api_keys(&self, tenant: &TenantId) -> anyhow::Result<u64> {
        let done = sqlx::query("UPDATE api_keys SET revoked_ms = $1 WHERE tenant_id = $2 AND revoked_ms IS NULL")
            .bind(Timestamp::now().unix_millis())
            .bind(id_bytes(tenant))
            .execute(self.pool())
            .await?;
        self.credentials.clear();
        Ok(done.rows_affected())
    }

    async fn revoke_api_key(&self, key: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE api_keys SET revoked_ms = $1 WHERE key_hash = $2 AND revoked_ms IS NULL")
            .bind(Timestamp::now().unix_millis())
            .bind(hash_api_key(key).as_slice())
            .execute(self.pool())
            .await?;
        self.credentials.clear();
        Ok(done.rows_affected() == 1)
    }

    async fn set_tenant_disabled(&self, tenant: &TenantId, disabled: bool) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE tenants SET disabled = $1 WHERE id = $2")
            .bind(disabled)
            .bind(id_bytes(tenant))
            .execute(self.pool())
            .await?;
        self.credentials.clear();
        Ok(done.rows_affected() == 1)
    }

    async fn api_keys(&self, tenant: &TenantId) -> anyhow::Result<Vec<ApiKeyInfo>> {
        let rows =
            sqlx::query("SELECT label, created_ms, revoked_ms FROM api_keys WHERE tenant_id = $1 ORDER BY created_ms")
                .bind(id_bytes(tenant))
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiKeyInfo {
                    label: codec::get(r, "label")?,
                    created: codec::time(r, "created_ms")?,
                    revoked: codec::maybe_time(r, "revoked_ms")?,
                })
            })
            .collect()
    }
}

impl PgStore {
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
            "SELECT {TENANT_COLUMNS} FROM {table} c JOIN tenants t ON t.id = c.tenant_id \
             WHERE c.{column} = $1 AND c.revoked_ms IS NULL AND NOT t.disabled"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.as_slice()).fetch_optional(self.pool()).await?;
        let tenant = row.as_ref().map(tenant_from_row).transpose()?;
        if let Some(t) = &tenant {
            self.credentials.put(kind, id, t);
        }
        Ok(tenant)
    }
}

async fn insert_key(conn: &mut PgConnection, tenant: &TenantId, key: &str, label: &str) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO api_keys (key_hash, tenant_id, label, created_ms) VALUES ($1, $2, $3, $4)")
        .bind(hash_api_key(key).as_slice())
        .bind(id_bytes(tenant))
        .bind(label)
        .bind(Timestamp::now().unix_millis())
        .execute(&mut *conn)
        .await
        .context("inserting the API key")?;
    Ok(())
}

pub(super) fn tenant_from_row(r: &PgRow) -> anyhow::Result<Tenant> {
    Ok(Tenant {
        id: codec::tenant_id(r, "id")?,
        name: codec::get(r, "name")?,
        role: codec::word(r, "role")?,
        issuer_code: codec::get(r, "issuer_code")?,
        disabled: codec::get(r, "disabled")?,
    })
}
