//! Client certificates (mTLS) mapped to tenants, by SHA-256 fingerprint; revocable.

use async_trait::async_trait;

use super::PgStore;
use super::codec::{self, id_bytes};
use crate::crypto::client_cert::ClientCertificate;
use crate::domain::{TenantId, Timestamp};
use crate::store::credential_cache::Credential;
use crate::store::tenants::{ClientCertInfo, ClientCertStore, Tenant};

#[async_trait]
impl ClientCertStore for PgStore {
    async fn add_client_cert(&self, tenant: &TenantId, cert: &ClientCertificate) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "INSERT INTO client_certs (fingerprint, tenant_id, subject, not_after_ms, created_ms) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (fingerprint) DO UPDATE SET tenant_id = excluded.tenant_id, subject = excluded.subject, \
             not_after_ms = excluded.not_after_ms, created_ms = excluded.created_ms, revoked_ms = NULL \
             WHERE client_certs.revoked_ms IS NOT NULL",
        )
        .bind(cert.fingerprint.as_slice())
        .bind(id_bytes(tenant))
        .bind(&cert.subject)
        .bind(cert.not_after_ms)
        .bind(Timestamp::now().unix_millis())
        .execute(self.pool())
        .await?;
        self.credentials.clear();
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_client_cert(&self, fingerprint: &[u8; 32]) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE client_certs SET revoked_ms = $1 WHERE fingerprint = $2 AND revoked_ms IS NULL")
            .bind(Timestamp::now().unix_millis())
            .bind(fingerprint.as_slice())
            .execute(self.pool())
            .await?;
        self.credentials.clear();
        Ok(done.rows_affected() == 1)
    }

    async fn client_certs(&self, tenant: &TenantId) -> anyhow::Result<Vec<ClientCertInfo>> {
        let rows = sqlx::query(
            "SELECT fingerprint, subject, not_after_ms, created_ms, revoked_ms FROM client_certs \
             WHERE tenant_id = $1 ORDER BY created_ms",
        )
        .bind(id_bytes(tenant))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ClientCertInfo {
                    fingerprint: codec::bytes32(r, "fingerprint")?,
                    subject: codec::get(r, "subject")?,
                    not_after: codec::maybe_time(r, "not_after_ms")?,
                    created: codec::time(r, "created_ms")?,
                    revoked: codec::maybe_time(r, "revoked_ms")?,
                })
            })
            .collect()
    }

    async fn tenant_by_client_cert(&self, fingerprint: &[u8; 32]) -> anyhow::Result<Option<Tenant>> {
        self.tenant_by_credential(Credential::ClientCert, fingerprint).await
    }
}
