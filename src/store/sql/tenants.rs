//! Tenants, their API keys and client certificates, on any SQL backend.

use anyhow::Context;
use async_trait::async_trait;

use super::{Sql, args};
use crate::crypto::client_cert::ClientCertificate;
use crate::domain::{TenantId, TenantRole, Timestamp};
use crate::store::columns::{id_bytes, stored};
use crate::store::credential_cache::Credential;
use crate::store::rows::{self, StoredRow, TENANT_COLUMNS};
use crate::store::tenants::{ApiKeyInfo, ClientCertInfo, ClientCertStore, Tenant, TenantStore};
use crate::store::tenants::{hash_api_key, new_api_key};

const INSERT_KEY: &str = "INSERT INTO api_keys (key_hash, tenant_id, label, created_ms) VALUES ($1, $2, $3, $4)";

fn insert_key(tenant: &TenantId, key: &str, label: &str) -> (&'static str, Vec<super::Arg>) {
    (INSERT_KEY, args![&hash_api_key(key), id_bytes(tenant), label, Timestamp::now()])
}

#[async_trait]
impl<S: Sql> TenantStore for S {
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
        let key = new_api_key()?;
        let insert_tenant = "INSERT INTO tenants (id, name, role, issuer_code, created_ms) VALUES ($1, $2, $3, $4, $5)";
        let tenant_args = args![id_bytes(&tenant.id), name, stored(role), issuer_code, Timestamp::now()];
        self.transaction(vec![(insert_tenant, tenant_args), insert_key(&tenant.id, &key, "first key")])
            .await
            .context("inserting the tenant and its first key")?;
        Ok((tenant, key))
    }

    async fn list_tenants(&self) -> anyhow::Result<Vec<Tenant>> {
        let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants t ORDER BY t.created_ms, t.name");
        self.fetch_all(&sql, args![]).await?.iter().map(rows::tenant).collect()
    }

    async fn tenants_with_active_keys(&self) -> anyhow::Result<Vec<(Tenant, u64)>> {
        let sql = format!(
            "SELECT {TENANT_COLUMNS}, \
               (SELECT count(*) FROM api_keys k WHERE k.tenant_id = t.id AND k.revoked_ms IS NULL) AS active_keys \
             FROM tenants t ORDER BY t.created_ms, t.name"
        );
        let rows = self.fetch_all(&sql, args![]).await?;
        rows.iter().map(|r| Ok((rows::tenant(r)?, r.uint("active_keys")?))).collect()
    }

    async fn tenant(&self, id: &TenantId) -> anyhow::Result<Option<Tenant>> {
        let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.id = $1");
        self.fetch_optional(&sql, args![id_bytes(id)]).await?.as_ref().map(rows::tenant).transpose()
    }

    /// The enabled tenant owning an unrevoked key, if any.
    async fn tenant_by_key_hash(&self, key_hash: &[u8; 32]) -> anyhow::Result<Option<Tenant>> {
        tenant_by_credential(self, Credential::ApiKey, key_hash).await
    }

    /// Adds a key to a tenant and returns its text (shown once).
    async fn add_api_key(&self, tenant: &TenantId, label: &str) -> anyhow::Result<String> {
        let key = new_api_key()?;
        let (sql, args) = insert_key(tenant, &key, label);
        self.execute(sql, args).await.context("inserting the API key")?;
        Ok(key)
    }

    /// Revokes every unrevoked key of the tenant; returns how many.
    async fn revoke_api_keys(&self, tenant: &TenantId) -> anyhow::Result<u64> {
        let sql = "UPDATE api_keys SET revoked_ms = $1 WHERE tenant_id = $2 AND revoked_ms IS NULL";
        let done = self.execute(sql, args![Timestamp::now(), id_bytes(tenant)]).await?;
        self.credentials().clear();
        Ok(done)
    }

    /// Revokes one key given its text; returns whether it existed unrevoked.
    async fn revoke_api_key(&self, key: &str) -> anyhow::Result<bool> {
        let sql = "UPDATE api_keys SET revoked_ms = $1 WHERE key_hash = $2 AND revoked_ms IS NULL";
        let done = self.execute(sql, args![Timestamp::now(), &hash_api_key(key)]).await?;
        self.credentials().clear();
        Ok(done == 1)
    }

    async fn set_tenant_disabled(&self, tenant: &TenantId, disabled: bool) -> anyhow::Result<bool> {
        let done =
            self.execute("UPDATE tenants SET disabled = $1 WHERE id = $2", args![disabled, id_bytes(tenant)]).await?;
        self.credentials().clear();
        Ok(done == 1)
    }

    async fn api_keys(&self, tenant: &TenantId) -> anyhow::Result<Vec<ApiKeyInfo>> {
        let sql = "SELECT label, created_ms, revoked_ms FROM api_keys WHERE tenant_id = $1 ORDER BY created_ms";
        self.fetch_all(sql, args![id_bytes(tenant)]).await?.iter().map(rows::api_key).collect()
    }
}

#[async_trait]
impl<S: Sql> ClientCertStore for S {
    /// Maps `cert` to `tenant`, or reinstates a revoked mapping (to `tenant`). Returns false,
    /// changing nothing, when the certificate is already mapped and not revoked.
    async fn add_client_cert(&self, tenant: &TenantId, cert: &ClientCertificate) -> anyhow::Result<bool> {
        let sql = "INSERT INTO client_certs (fingerprint, tenant_id, subject, not_after_ms, created_ms) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (fingerprint) DO UPDATE SET tenant_id = excluded.tenant_id, subject = excluded.subject, \
             not_after_ms = excluded.not_after_ms, created_ms = excluded.created_ms, revoked_ms = NULL \
             WHERE client_certs.revoked_ms IS NOT NULL";
        let args = args![&cert.fingerprint, id_bytes(tenant), &cert.subject, cert.not_after_ms, Timestamp::now()];
        let done = self.execute(sql, args).await?;
        self.credentials().clear();
        Ok(done == 1)
    }

    /// Revokes the mapping of a certificate; returns whether an unrevoked one existed.
    async fn revoke_client_cert(&self, fingerprint: &[u8; 32]) -> anyhow::Result<bool> {
        let sql = "UPDATE client_certs SET revoked_ms = $1 WHERE fingerprint = $2 AND revoked_ms IS NULL";
        let done = self.execute(sql, args![Timestamp::now(), fingerprint]).await?;
        self.credentials().clear();
        Ok(done == 1)
    }

    async fn client_certs(&self, tenant: &TenantId) -> anyhow::Result<Vec<ClientCertInfo>> {
        let sql = "SELECT fingerprint, subject, not_after_ms, created_ms, revoked_ms FROM client_certs \
             WHERE tenant_id = $1 ORDER BY created_ms";
        self.fetch_all(sql, args![id_bytes(tenant)]).await?.iter().map(rows::client_cert).collect()
    }

    /// The enabled tenant a certificate is mapped to, unless the mapping is revoked.
    async fn tenant_by_client_cert(&self, fingerprint: &[u8; 32]) -> anyhow::Result<Option<Tenant>> {
        tenant_by_credential(self, Credential::ClientCert, fingerprint).await
    }
}

/// The enabled tenant a credential (an API key's hash, a client certificate's fingerprint)
/// belongs to, unless the credential is revoked.
async fn tenant_by_credential<S: Sql>(store: &S, kind: Credential, id: &[u8; 32]) -> anyhow::Result<Option<Tenant>> {
    if let Some(tenant) = store.credentials().get(kind, id) {
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
    let tenant = store.fetch_optional(&sql, args![id]).await?.as_ref().map(rows::tenant).transpose()?;
    if let Some(t) = &tenant {
        store.credentials().put(kind, id, t);
    }
    Ok(tenant)
}
