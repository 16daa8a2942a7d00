//! HTTPS for the witness listener.
//!
//! The witness pins client certificates, not chains: its configuration names each operator's
//! certificate, and a connection counts as that operator when the certificate it presented
//! (whose key it proved in the handshake) is byte-for-byte the named one. So any client
//! certificate is accepted during its handshake, and the HTTP layer decides (`witness::auth`).

use openssl::ssl::{SslAcceptorBuilder, SslVerifyMode};

use crate::tls::TlsIdentity;

/// The witness's acceptor for `identity`. With `pin_clients`, it asks for any client
/// certificate; clients may decline (they are then judged by their bearer token).
pub fn acceptor(identity: &TlsIdentity, pin_clients: bool) -> anyhow::Result<SslAcceptorBuilder> {
    let mut b = crate::tls::acceptor(identity)?;
    if pin_clients {
        b.set_verify_callback(SslVerifyMode::PEER, |_, _| true);
    }
    Ok(b)
}
