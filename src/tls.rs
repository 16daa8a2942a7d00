//! What the HTTPS listeners share (the API's, `http::tls`, and the witness's, `witness::tls`):
//! a server certificate with its key, a TLS acceptor for it, and the fingerprint of the
//! certificate a client presented, kept as connection data. Which client certificates a
//! listener asks for, and what it makes of them, is its own.

use std::any::Any;

use actix_web::dev::Extensions;
use actix_web::rt::net::TcpStream;
use anyhow::Context;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{SslAcceptor, SslAcceptorBuilder, SslMethod};
use openssl::x509::X509;

/// A server's HTTPS certificate (then its intermediates) and key.
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

/// A TLS 1.2+ acceptor (Mozilla's intermediate profile) for `identity`, asking for no client
/// certificate yet.
pub fn acceptor(identity: &TlsIdentity) -> anyhow::Result<SslAcceptorBuilder> {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
    b.set_private_key(&identity.key)?;
    b.set_certificate(&identity.cert)?;
    for c in &identity.intermediates {
        b.add_extra_chain_cert(c.clone())?;
    }
    b.check_private_key().context("the TLS key does not match the TLS certificate")?;
    Ok(b)
}

/// `HttpServer::on_connect`: records the client certificate's fingerprint, if any.
pub fn record_client_cert(conn: &dyn Any, data: &mut Extensions) {
    let Some(tls) = conn.downcast_ref::<actix_tls::accept::openssl::TlsStream<TcpStream>>() else { return };
    if let Some(fingerprint) = tls.ssl().peer_certificate().and_then(|c| ClientCertFingerprint::of(&c).ok()) {
        data.insert(fingerprint);
    }
}
