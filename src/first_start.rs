//! The first start of a data directory: a development PKI when none is configured, and the
//! demo tenants (one per role) when `demo` is set and the database has no tenant yet.

use std::path::Path;

use anyhow::Context;

use crate::crypto::devpki::{write_demo_signer, write_dev_pki};
use crate::domain::TenantRole;
use crate::files;
use crate::store::Store;

/// Writes a fresh dev PKI into `pki`, its CA into `pki/trust` (the witnesses' anchor) and its
/// hospital signing CA into the hospitals' trust directory.
pub fn create_dev_pki(pki: &Path) -> anyhow::Result<()> {
    let paths = write_dev_pki(pki).context("creating the dev PKI")?;
    std::fs::create_dir_all(pki.join("trust"))?;
    std::fs::copy(&paths.ca_cert, pki.join("trust").join("ca.pem")).context("placing the dev CA in pki/trust")?;
    let hospitals = pki.join(crate::config::HOSPITAL_TRUST_DIR);
    std::fs::create_dir_all(&hospitals)?;
    std::fs::copy(&paths.hospital_ca_cert, hospitals.join("hospital-ca.pem"))
        .context("placing the dev hospital signing CA in pki/hospital-trust")?;
    tracing::info!("created the dev PKI in {}", pki.display());
    Ok(())
}

/// One tenant per role; keys to `demo-keys.txt` (0600) and stderr, never to the log.
pub async fn create_demo_tenants(store: &Store, data: &Path) -> anyhow::Result<()> {
    let mut lines = String::from(
        "# Demo API keys, one tenant per role. Shown once; keep this file private.\n\
         # role tenant-id key [issuer=CODE: the hospital's issuer code, for its invoices]\n",
    );
    for role in TenantRole::ALL {
        let issuer = (role == TenantRole::Hospital).then_some("DEMO-HOSP");
        let (tenant, key) = store.create_tenant(&format!("Demo {role}"), role, issuer).await?;
        if role == TenantRole::Hospital
            && let Some(pem) = write_demo_signer(&data.join("pki"), "Demo Hospital invoice signing")?
        {
            store.add_client_cert(&tenant.id, &crate::crypto::client_cert::parse_client_cert(&pem)?).await?;
        }
        let issuer = issuer.map(|code| format!(" issuer={code}")).unwrap_or_default();
        lines.push_str(&format!("{role:<9} {} {key}{issuer}\n", tenant.id));
    }
    files::create_new(&data.join("demo-keys.txt"), lines.as_bytes(), 0o600)?;
    eprintln!("\nDemo tenants created (also in {}):\n{lines}", data.join("demo-keys.txt").display());
    Ok(())
}
