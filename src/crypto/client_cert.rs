//! A tenant's client certificate (mTLS for the API), as an operator maps it: read from PEM,
//! parsed with x509-parser, identified by the SHA-256 of its DER (what the TLS layer computes
//! for a connection, `tls::ClientCertFingerprint`).

use anyhow::{Context, bail};
use x509_parser::pem::parse_x509_pem;
use x509_parser::prelude::{FromDer, X509Certificate};

/// What is stored of a mapped client certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    /// SHA-256 of the certificate's DER.
    pub fingerprint: [u8; 32],
    /// The subject, RFC 4514-like text, for listings.
    pub subject: String,
    /// End of validity, Unix milliseconds.
    pub not_after_ms: i64,
}

/// Reads the first certificate of a PEM file's text. Refuses a CA certificate: a tenant is
/// mapped to one end-entity certificate, never to everything a CA issues.
pub fn parse_client_cert(pem: &[u8]) -> anyhow::Result<ClientCertificate> {
    let (_, pem) = parse_x509_pem(pem).map_err(|e| anyhow::anyhow!("not a PEM certificate: {e}"))?;
    if pem.label != "CERTIFICATE" {
        bail!("the PEM block is {:?}, not a CERTIFICATE", pem.label);
    }
    let (rest, cert) =
        X509Certificate::from_der(&pem.contents).map_err(|e| anyhow::anyhow!("not a certificate: {e}"))?;
    if !rest.is_empty() {
        bail!("trailing bytes after the certificate");
    }
    let is_ca = cert.basic_constraints().context("reading basic constraints")?.is_some_and(|bc| bc.value.ca);
    if is_ca {
        bail!("this is a CA certificate; map the client's own certificate");
    }
    Ok(ClientCertificate {
        fingerprint: openssl::sha::sha256(&pem.contents),
        subject: cert.subject().to_string(),
        not_after_ms: cert.validity().not_after.timestamp().saturating_mul(1000),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::devpki::{TlsUsage, issue_tls, new_ca};

    #[test]
    fn the_fingerprint_is_the_one_the_tls_layer_sees_and_a_ca_is_refused() {
        let ca = new_ca("Clients", 2).unwrap();
        let client = issue_tls(&ca, "hospital-a", TlsUsage::Client, 2).unwrap();
        let parsed = parse_client_cert(&client.cert.to_pem().unwrap()).unwrap();
        let seen = crate::tls::ClientCertFingerprint::of(&client.cert).unwrap();
        assert_eq!(parsed.fingerprint, seen.0);
        assert!(parsed.subject.contains("hospital-a"), "{}", parsed.subject);
        assert!(parsed.not_after_ms > crate::domain::Timestamp::now().unix_millis());
        let err = parse_client_cert(&ca.cert.to_pem().unwrap()).unwrap_err().to_string();
        assert!(err.contains("CA certificate"), "{err}");
        // A key is not a certificate (made here, so that no key is committed).
        assert!(parse_client_cert(&client.key.private_key_to_pem_pkcs8().unwrap()).is_err());
    }
}
