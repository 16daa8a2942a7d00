//! Tenants, their API keys and their client certificates (mTLS).

use anyhow::Context;
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openssl::sha::sha256;

use crate::crypto::client_cert::ClientCertificate;
use crate::domain::{TenantId, TenantRole, Timestamp};

/// An organisation with one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub role: TenantRole,
    pub issuer_code: Option<String>,
    pub disabled: bool,
}

/// An API key as listed (never the key itself).
#[derive(Debug, Clone)]
pub struct ApiKeyInfo {
    pub label: String,
    pub created: Timestamp,
    pub revoked: Option<Timestamp>,
}

/// A client certificate's mapping as listed.
#[derive(Debug, Clone)]
pub struct ClientCertInfo {
    pub fingerprint: [u8; 32],
    pub subject: String,
    pub not_after: Option<Timestamp>,
    pub created: Timestamp,
    pub revoked: Option<Timestamp>,
}

/// The stored form of an API key: SHA-256 of its text.
pub fn hash_api_key(key: &str) -> [u8; 32] {
    sha256(key.as_bytes())
}

/// A new key: `ntk_` + 256 random bits, base64url.
pub(super) fn new_api_key() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    openssl::rand::rand_bytes(&mut bytes).context("random bytes for an API key")?;
    Ok(format!("ntk_{}", URL_SAFE_NO_PAD.encode(bytes)))
}

#[async_trait]
pub trait TenantStore: Send + Sync {
    /// Creates a tenant and its first key; returns the key text (shown once).
    async fn create_tenant(
        &self,
        name: &str,
        role: TenantRole,
        issuer_code: Option<&str>,
    ) -> anyhow::Result<(Tenant, String)>;

    async fn list_tenants(&self) -> anyhow::Result<Vec<Tenant>>;

    /// Every tenant with its number of unrevoked API keys (one statement).
    async fn tenants_with_active_keys(&self) -> anyhow::Result<Vec<(Tenant, u64)>>;

    async fn tenant(&self, id: &TenantId) -> anyhow::Result<Option<Tenant>>;

    /// The enabled tenant owning an unrevoked key, if any.
    async fn tenant_by_key_hash(&self, key_hash: &[u8; 32]) -> anyhow::Result<Option<Tenant>>;

    /// Adds a key to a tenant and returns its text (shown once).
    async fn add_api_key(&self, tenant: &TenantId, label: &str) -> anyhow::Result<String>;

    /// Revokes every unrevoked key of the tenant; returns how many.
    async fn revoke_api_keys(&self, tenant: &TenantId) -> anyhow::Result<u64>;

    /// Revokes one key given its text; returns whether it existed unrevoked.
    async fn revoke_api_key(&self, key: &str) -> anyhow::Result<bool>;

    async fn set_tenant_disabled(&self, tenant: &TenantId, disabled: bool) -> anyhow::Result<bool>;

    async fn api_keys(&self, tenant: &TenantId) -> anyhow::Result<Vec<ApiKeyInfo>>;
}

/// Client certificates (mTLS) mapped to tenants, by SHA-256 fingerprint; revocable.
#[async_trait]
pub trait ClientCertStore: Send + Sync {
    /// Maps `cert` to `tenant`, or reinstates a revoked mapping (to `tenant`). Returns false,
    /// changing nothing, when the certificate is already mapped and not revoked.
    async fn add_client_cert(&self, tenant: &TenantId, cert: &ClientCertificate) -> anyhow::Result<bool>;

    /// Revokes the mapping of a certificate; returns whether an unrevoked one existed.
    async fn revoke_client_cert(&self, fingerprint: &[u8; 32]) -> anyhow::Result<bool>;

    async fn client_certs(&self, tenant: &TenantId) -> anyhow::Result<Vec<ClientCertInfo>>;

    /// The enabled tenant a certificate is mapped to, unless the mapping is revoked.
    async fn tenant_by_client_cert(&self, fingerprint: &[u8; 32]) -> anyhow::Result<Option<Tenant>>;
}
