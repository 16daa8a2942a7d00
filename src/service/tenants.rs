//! Tenants and their credentials, as operators manage them (`notarium admin`): create, list,
//! disable, rotate or revoke API keys, map client certificates.

use crate::crypto::client_cert::ClientCertificate;
use crate::domain::TenantId;
use crate::domain::TenantRole;
use crate::store::{ClientCertInfo, Store, Tenant};

/// Why a tenant operation changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    /// A hospital is created without the issuer code its invoices carry.
    #[error("--issuer-code is required for a hospital")]
    IssuerCodeRequired,
    /// An issuer code was given for a tenant that is not a hospital.
    #[error("--issuer-code is only for hospitals")]
    IssuerCodeNotForRole,
    /// The issuer code is not 1-40 letters, digits or `-`.
    #[error("--issuer-code takes 1-40 letters, digits or - (it appears in every invoice the hospital issues)")]
    InvalidIssuerCode,
    /// No tenant has this id.
    #[error("no tenant {0}")]
    NoSuchTenant(TenantId),
    /// The key is unknown or already revoked.
    #[error("no such unrevoked key")]
    NoSuchKey,
    /// The certificate is mapped to a tenant already.
    #[error("this certificate is already mapped to a tenant; revoke that mapping first")]
    CertificateMapped,
    /// No unrevoked mapping exists for the certificate.
    #[error("no unrevoked mapping for this certificate")]
    NoSuchMapping,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A tenant with the number of its unrevoked API keys.
pub struct TenantSummary {
    pub tenant: Tenant,
    pub active_keys: u64,
}

/// Creates a tenant; returns it with its first API key (shown once, stored only hashed).
pub async fn create(
    store: &Store,
    name: &str,
    role: TenantRole,
    issuer_code: Option<&str>,
) -> Result<(Tenant, String), TenantError> {
    match (role, issuer_code) {
        (TenantRole::Hospital, None) => return Err(TenantError::IssuerCodeRequired),
        (TenantRole::Hospital, Some(code)) if !crate::domain::invoice::valid_code(code) => {
            return Err(TenantError::InvalidIssuerCode);
        }
        (TenantRole::Hospital, Some(_)) | (_, None) => {}
        (_, Some(_)) => return Err(TenantError::IssuerCodeNotForRole),
    }
    Ok(store.create_tenant(name, role, issuer_code).await?)
}

/// Every tenant with its count of unrevoked keys.
pub async fn list(store: &Store) -> anyhow::Result<Vec<TenantSummary>> {
    let tenants = store.tenants_with_active_keys().await?;
    Ok(tenants.into_iter().map(|(tenant, active_keys)| TenantSummary { tenant, active_keys }).collect())
}

/// Disables a tenant: its keys, certificates and sessions stop working within a second.
pub async fn disable(store: &Store, tenant: &TenantId) -> Result<(), TenantError> {
    store.set_tenant_disabled(tenant, true).await?.then_some(()).ok_or(TenantError::NoSuchTenant(*tenant))
}

/// Revokes every key of the tenant and returns a new one.
pub async fn rotate_key(store: &Store, tenant: &TenantId) -> Result<String, TenantError> {
    store.tenant(tenant).await?.ok_or(TenantError::NoSuchTenant(*tenant))?;
    store.revoke_api_keys(tenant).await?;
    Ok(store.add_api_key(tenant, "rotated").await?)
}

/// Revokes one key, given as the key itself.
pub async fn revoke_key(store: &Store, key: &str) -> Result<(), TenantError> {
    store.revoke_api_key(key).await?.then_some(()).ok_or(TenantError::NoSuchKey)
}

/// Maps a client certificate to a tenant.
pub async fn add_cert(store: &Store, tenant: &TenantId, cert: &ClientCertificate) -> Result<(), TenantError> {
    store.tenant(tenant).await?.ok_or(TenantError::NoSuchTenant(*tenant))?;
    store.add_client_cert(tenant, cert).await?.then_some(()).ok_or(TenantError::CertificateMapped)
}

/// The client certificates mapped to a tenant, revoked ones too.
pub async fn certs(store: &Store, tenant: &TenantId) -> anyhow::Result<Vec<ClientCertInfo>> {
    store.client_certs(tenant).await
}

/// Revokes the mapping of the certificate with this SHA-256 fingerprint.
pub async fn revoke_cert(store: &Store, fingerprint: &[u8; 32]) -> Result<(), TenantError> {
    store.revoke_client_cert(fingerprint).await?.then_some(()).ok_or(TenantError::NoSuchMapping)
}
