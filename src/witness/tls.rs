//! HTTPS for the witness listener and, for operators that authenticate with a client
//! certificate (mTLS), the certificate's fingerprint as connection data.
//!
//! Client certificates are pinned, not chained: the witness configuration names each
//! operator's certificate, and a connection counts as that operator when the certificate it
//! presented (whose key it proved in the handshake) is byte-for-byte the named one. So any
//! client certificate is accepted during the handshake, and the HTTP layer decides.

use std::any::Any;

use actix_web::dev::Extensions;
use actix_web::rt::net::TcpStream;
use anyhow::Context;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{SslAcceptor, SslAcceptorBuilder, SslMethod, SslVerifyMode};
use openssl::x509::X509;

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

/// A TLS 1.2+ acceptor (Mozilla's intermediate profile) for `identity`; with
/// `request_client_certs`, clients are asked for a certificate (and may decline: those are
/// then judged by their bearer token).
pub fn acceptor(identity: &TlsIdentity, request_client_certs: bool) -> anyhow::Result<SslAcceptorBuilder> {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
    b.set_private_key(&identity.key)?;
    b.set_certificate(&identity.cert)?;
    for c in &identity.intermediates {
        b.add_extra_chain_cert(c.clone())?;
    }
    b.check_private_key().context("the TLS key does not match the TLS certificate")?;
    if request_client_certs {
        b.set_verify_callback(SslVerifyMode::PEER, |_, _| true);
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
