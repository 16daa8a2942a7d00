//! A document signed by a tenant's own certificate (a hospital's invoice): a detached CMS
//! SignedData (SHA-256, ECDSA, one signer, canonical DER, as docs/formats.md §4 pins for
//! co-signatures) over the exact canonical bytes, whose signer chains to a trust anchor and is
//! valid at the time given. Who the certificate belongs to is the caller's check (the
//! fingerprint against the tenant's enrolled certificates).

use openssl::x509::X509;

use super::certs::{chain_to_anchor, is_p256, subject_line, valid_at};
use super::cms::{inspect, verify_signature};
use crate::domain::Timestamp;

/// The certificate that signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// SHA-256 of the certificate's DER (as `notarium admin tenant cert add` records it).
    pub fingerprint: [u8; 32],
    pub subject: String,
}

/// Checks `der` over `content`; the signer, or why not (a sentence for the client).
pub fn check_detached(der: &[u8], content: &[u8], anchors: &[X509], at: Timestamp) -> Result<Signer, String> {
    let facts = inspect(der).map_err(|e| e.to_string())?;
    let signer = X509::from_der(&facts.signer_cert).map_err(|e| format!("the signer's certificate: {e}"))?;
    let intermediates: Vec<X509> = facts.other_certs.iter().filter_map(|d| X509::from_der(d).ok()).collect();
    is_p256(&signer)?;
    verify_signature(der, content, &signer).map_err(|e| e.replace("over the header", "over the canonical JSON"))?;
    let chain = chain_to_anchor(&signer, &intermediates, anchors)
        .map_err(|e| format!("the signer's certificate does not chain to a trust anchor: {e}"))?;
    valid_at(&chain, at)?;
    Ok(Signer { fingerprint: openssl::sha::sha256(&facts.signer_cert), subject: subject_line(&signer) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::cms::sign;
    use crate::crypto::devpki::{TlsUsage, issue_tls, new_ca};

    #[test]
    fn a_signature_by_a_certificate_of_a_trusted_ca_over_these_bytes_only() {
        let ca = new_ca("Test CA", 2).unwrap();
        let signer = issue_tls(&ca, "City Hospital", TlsUsage::Client, 2).unwrap();
        let der = sign(b"{\"a\":1}", &signer.key, &signer.cert, &[]).unwrap();
        let now = Timestamp::now();
        let ok = check_detached(&der, b"{\"a\":1}", std::slice::from_ref(&ca.cert), now).unwrap();
        assert_eq!(ok.fingerprint, openssl::sha::sha256(&signer.cert.to_der().unwrap()));
        assert!(ok.subject.contains("City Hospital"), "{}", ok.subject);

        let other_bytes = check_detached(&der, b"{\"a\":2}", std::slice::from_ref(&ca.cert), now);
        assert!(other_bytes.unwrap_err().contains("canonical JSON"));
        let other_ca = new_ca("Other CA", 2).unwrap();
        let untrusted = check_detached(&der, b"{\"a\":1}", std::slice::from_ref(&other_ca.cert), now);
        assert!(untrusted.unwrap_err().contains("trust anchor"));
        let later = Timestamp::from_unix_millis(now.unix_millis() + 10 * 86_400_000).unwrap();
        assert!(check_detached(&der, b"{\"a\":1}", std::slice::from_ref(&ca.cert), later).is_err(), "expired");
        assert!(check_detached(b"not der", b"{\"a\":1}", std::slice::from_ref(&ca.cert), now).is_err());
    }
}
