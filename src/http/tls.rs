//! HTTPS for the API (the `tls` settings): the server's certificate, and, for tenants that
//! authenticate with a client certificate (mTLS), the chain to the configured client CA checked
//! in the handshake; `http::auth` then maps the certificate's fingerprint to a tenant.

use std::path::Path;

use anyhow::Context;
use openssl::pkey::PKey;
use openssl::ssl::{SslAcceptorBuilder, SslVerifyMode};
use openssl::x509::X509;
use openssl::x509::store::X509StoreBuilder;

use crate::config::{ApiTlsSettings, ClientAuth};
use crate::tls::TlsIdentity;

/// The API's TLS acceptor from `tls` (files read here), or `None` for plain HTTP.
pub fn acceptor(tls: &ApiTlsSettings) -> anyhow::Result<Option<SslAcceptorBuilder>> {
    let (Some(cert), Some(key)) = (&tls.cert, &tls.key) else { return Ok(None) };
    let read = |p: &Path, what: &str| std::fs::read(p).with_context(|| format!("reading {what} {}", p.display()));
    let certs_of = |p: &Path, what: &str| -> anyhow::Result<Vec<X509>> {
        let certs =
            X509::stack_from_pem(&read(p, what)?).with_context(|| format!("{what} {}: not PEM", p.display()))?;
        anyhow::ensure!(!certs.is_empty(), "{what} {}: no certificate", p.display());
        Ok(certs)
    };
    let mut chain = certs_of(cert, "tls.cert")?.into_iter();
    let identity = TlsIdentity {
        cert: chain.next().expect("checked non-empty"),
        intermediates: chain.collect(),
        key: PKey::private_key_from_pem(&read(key, "tls.key")?)
            .with_context(|| format!("tls.key {}: not a PEM private key", key.display()))?,
    };
    let roots = match &tls.client_ca {
        Some(ca) => certs_of(ca, "tls.client_ca")?,
        None => Vec::new(),
    };
    let required = match tls.client_auth {
        ClientAuth::None => None,
        ClientAuth::Optional => Some(false),
        ClientAuth::Required => Some(true),
    };
    with_client_certs(&identity, &roots, required).context("setting up TLS for the API").map(Some)
}

/// An acceptor for `identity`; with `required` set, asking for client certificates chaining to
/// one of `roots` (chain, validity and client-auth usage checked by OpenSSL in the handshake),
/// and when `required` is true, a client without one cannot connect.
fn with_client_certs(
    identity: &TlsIdentity,
    roots: &[X509],
    required: Option<bool>,
) -> anyhow::Result<SslAcceptorBuilder> {
    let mut b = crate::tls::acceptor(identity)?;
    let Some(required) = required else { return Ok(b) };
    anyhow::ensure!(!roots.is_empty(), "no client CA certificate");
    let mut store = X509StoreBuilder::new()?;
    for root in roots {
        store.add_cert(root.clone())?;
        b.add_client_ca(root)?;
    }
    b.set_verify_cert_store(store.build())?;
    // Resumed sessions keep the verified peer; OpenSSL refuses resumption without this.
    b.set_session_id_context(b"notarium-api")?;
    let mode = if required { SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT } else { SslVerifyMode::PEER };
    b.set_verify(mode);
    Ok(b)
}
