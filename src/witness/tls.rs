//! HTTPS for the witness listener and the API, and, for clients that authenticate with a
//! certificate (mTLS), the certificate's fingerprint as connection data.
//!
//! The witness pins client certificates, not chains: its configuration names each operator's
//! certificate, and a connection counts as that operator when the certificate it presented
//! (whose key it proved in the handshake) is byte-for-byte the named one. So any client
//! certificate is accepted during its handshake, and the HTTP layer decides
//! ([`ClientCerts::Pinned`]). The API checks the chain to the configured client CA in the
//! handshake and then maps the fingerprint to a tenant ([`ClientCerts::Chained`]).

use std::any::Any;

use actix_web::dev::Extensions;
use actix_web::rt::net::TcpStream;
use anyhow::Context;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{SslAcceptor, SslAcceptorBuilder, SslMethod, SslVerifyMode};
use openssl::x509::X509;
use openssl::x509::store::X509StoreBuilder;

/// The witness's HTTPS certificate (then its intermediates) and key.
pub struct TlsIdentity {
    pub cert: X509,
    pub intermediates: Vec<X509>,
    pub key: PKey<Private>,
}

/// SHA-256 of the DER of the certificate a client presented in the TLS handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientCertFingerprint(pub [u8; 32]);

impl ClientCertFingerprint {
    pub fn of(cert: &X509) -> anyhow::Result<Self> {
        Ok(Self(openssl::sha::sha256(&cert.to_der().context("encoding a certificate")?)))
    }
}

/// Which client certificates a TLS acceptor asks for.
pub enum ClientCerts<'a> {
    /// None.
    None,
    /// Any certificate; the HTTP layer compares its fingerprint. Clients may decline (they are
    /// then judged by their bearer token).
    Pinned,
    /// Certificates chaining to one of `roots` (chain, validity and client-auth usage checked
    /// by OpenSSL in the handshake); with `required`, a client without one cannot connect.
    Chained { roots: &'a [X509], required: bool },
}

/// A TLS 1.2+ acceptor (Mozilla's intermediate profile) for `identity`, asking for client
/// certificates as `client_certs` says.
pub fn acceptor(identity: &TlsIdentity, client_certs: ClientCerts<'_>) -> anyhow::Result<SslAcceptorBuilder> {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
    b.set_private_key(&identity.key)?;
    b.set_certificate(&identity.cert)?;
    for c in &identity.intermediates {
        b.add_extra_chain_cert(c.clone())?;
    }
    b.check_private_key().context("the TLS key does not match the TLS certificate")?;
    match client_certs {
        ClientCerts::None => {}
        ClientCerts::Pinned => b.set_verify_callback(SslVerifyMode::PEER, |_, _| true),
        ClientCerts::Chained { roots, required } => {
            anyhow::ensure!(!roots.is_empty(), "no client CA certificate");
            let mut store = X509StoreBuilder::new()?;
            for root in roots {
                store.add_cert(root.clone())?;
                b.add_client_ca(root)?;
            }
            b.set_verify_cert_store(store.build())?;
            // Resumed sessions keep the verified peer; OpenSSL refuses resumption without this.
            b.set_session_id_context(b"notarium-api")?;
            let mode =
                if required { SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT } else { SslVerifyMode::PEER };
            b.set_verify(mode);
        }
    }
    Ok(b)
}

/// `HttpServer::on_connect`: records the client certificate's fingerprint, if any.
pub fn record_client_cert(conn: &dyn Any, data: &mut Extensions) {
    let Some(tls) = conn.downcast_ref::<actix_tls::accept::openssl::TlsStream<TcpStream>>() else { return };
    if let Some(fingerprint) = tls.ssl().peer_certificate().and_then(|c| ClientCertFingerprint::of(&c).ok()) {
        data.insert(fingerprint);
    }
}
