//! A document signed by a tenant's own certificate (a hospital's invoice): a detached CMS
//! SignedData (SHA-256, ECDSA, one signer, canonical DER, as docs/formats.md §4 pins for
//! co-signatures) over the exact canonical bytes, whose signer's key usage allows signing and
//! which chains to one of the document-signing anchors (the `hospital_trust` setting, never the
//! witnesses' anchors) and is valid at the time given. Who the certificate belongs to is the
//! caller's check (the fingerprint against the tenant's enrolled certificates).

use std::path::Path;

use openssl::x509::X509;

use super::certs::{chain_to_anchor, document_signer_profile, is_p256, subject_line, valid_at};
use super::cms::{inspect, verify_signature};
use super::trust::{TrustError, pem_files, read_pem};
use crate::domain::Timestamp;

/// The certificate that signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// SHA-256 of the certificate's DER (as `notarium admin tenant cert add` records it).
    pub fingerprint: [u8; 32],
    pub subject: String,
}

/// The CA certificates a document signer's certificate must chain to: a set of its own,
/// separate from the witnesses' trust anchors, so that a CA trusted to certify witnesses does
/// not certify hospitals.
#[derive(Clone, Default)]
pub struct DocumentAnchors {
    anchors: Vec<X509>,
}

impl DocumentAnchors {
    pub fn new(anchors: Vec<X509>) -> Self {
        Self { anchors }
    }

    /// Every certificate of every `*.pem` file in `dir`; none when `dir` does not exist.
    pub fn from_dir(dir: &Path) -> Result<Self, TrustError> {
        let mut anchors = Vec::new();
        for path in pem_files(dir)? {
            anchors.extend(read_pem(&path)?);
        }
        Ok(Self { anchors })
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

/// Why a detached document signature is refused; each text is a sentence for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentSignatureError {
    /// Not a CMS SignedData as required, not over these bytes, a key that is not P-256, or a
    /// certificate not valid at the time given.
    #[error("{0}")]
    Invalid(String),
    /// The signer's certificate is a CA's, or its key usage allows neither digitalSignature
    /// nor nonRepudiation (or it has no key usage extension).
    #[error("the signing certificate may not sign documents: {0}")]
    KeyUsage(String),
    /// The signer's certificate does not chain to a document-signing anchor (a CA trusted only
    /// for witnesses does not count), or none is configured.
    #[error("the signing certificate does not chain to a document-signing trust anchor: {0}")]
    Untrusted(String),
}

/// Checks `der` over `content`; the signer, or why not.
pub fn check_detached(
    der: &[u8],
    content: &[u8],
    anchors: &DocumentAnchors,
    at: Timestamp,
) -> Result<Signer, DocumentSignatureError> {
    use DocumentSignatureError::{Invalid, KeyUsage, Untrusted};
    let facts = inspect(der).map_err(|e| Invalid(e.to_string()))?;
    let signer = X509::from_der(&facts.signer_cert).map_err(|e| Invalid(format!("the signer's certificate: {e}")))?;
    let intermediates: Vec<X509> = facts.other_certs.iter().filter_map(|d| X509::from_der(d).ok()).collect();
    is_p256(&signer).map_err(Invalid)?;
    verify_signature(der, content, &signer)
        .map_err(|e| Invalid(e.replace("over the header", "over the canonical JSON")))?;
    document_signer_profile(&signer).map_err(KeyUsage)?;
    if anchors.is_empty() {
        return Err(Untrusted("the service has no document-signing anchor (setting hospital_trust)".into()));
    }
    let chain = chain_to_anchor(&signer, &intermediates, &anchors.anchors).map_err(Untrusted)?;
    valid_at(&chain, at).map_err(Invalid)?;
    Ok(Signer { fingerprint: openssl::sha::sha256(&facts.signer_cert), subject: subject_line(&signer) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::cms::sign;
    use crate::crypto::devpki::{TlsUsage, issue_document_signer, issue_leaf, issue_tls, new_ca};

    #[test]
    fn a_signature_by_a_certificate_of_a_trusted_ca_over_these_bytes_only() {
        let ca = new_ca("Test CA", 2).unwrap();
        let signer = issue_tls(&ca, "City Hospital", TlsUsage::Client, 2).unwrap();
        let der = sign(b"{\"a\":1}", &signer.key, &signer.cert, &[]).unwrap();
        let now = Timestamp::now();
        let anchors = DocumentAnchors::new(vec![ca.cert.clone()]);
        let ok = check_detached(&der, b"{\"a\":1}", &anchors, now).unwrap();
        assert_eq!(ok.fingerprint, openssl::sha::sha256(&signer.cert.to_der().unwrap()));
        assert!(ok.subject.contains("City Hospital"), "{}", ok.subject);

        let other_bytes = check_detached(&der, b"{\"a\":2}", &anchors, now);
        assert!(matches!(other_bytes, Err(DocumentSignatureError::Invalid(e)) if e.contains("canonical JSON")));
        let other_ca = DocumentAnchors::new(vec![new_ca("Other CA", 2).unwrap().cert]);
        let untrusted = check_detached(&der, b"{\"a\":1}", &other_ca, now);
        assert!(matches!(untrusted, Err(DocumentSignatureError::Untrusted(_))), "{untrusted:?}");
        let none = check_detached(&der, b"{\"a\":1}", &DocumentAnchors::default(), now);
        assert!(matches!(none, Err(DocumentSignatureError::Untrusted(e)) if e.contains("hospital_trust")));
        let later = Timestamp::from_unix_millis(now.unix_millis() + 10 * 86_400_000).unwrap();
        assert!(matches!(check_detached(&der, b"{\"a\":1}", &anchors, later), Err(DocumentSignatureError::Invalid(_))));
        assert!(check_detached(b"not der", b"{\"a\":1}", &anchors, now).is_err());
    }

    #[test]
    fn a_certificate_whose_key_usage_does_not_allow_signing_is_refused() {
        use openssl::x509::extension::KeyUsage;
        let ca = new_ca("Test CA", 2).unwrap();
        let anchors = DocumentAnchors::new(vec![ca.cert.clone()]);
        let usage = KeyUsage::new().critical().key_encipherment().key_cert_sign().build().unwrap();
        let signer = issue_leaf(&ca, "Encipherment only", 2, vec![usage]).unwrap();
        let der = sign(b"{}", &signer.key, &signer.cert, &[]).unwrap();
        let refused = check_detached(&der, b"{}", &anchors, Timestamp::now());
        assert!(
            matches!(&refused, Err(DocumentSignatureError::KeyUsage(e)) if e.contains("neither digitalSignature")),
            "{refused:?}"
        );
        let without = issue_leaf(&ca, "No key usage", 2, vec![]).unwrap();
        let der = sign(b"{}", &without.key, &without.cert, &[]).unwrap();
        let refused = check_detached(&der, b"{}", &anchors, Timestamp::now());
        assert!(matches!(&refused, Err(DocumentSignatureError::KeyUsage(_))), "{refused:?}");
        let signing = issue_document_signer(&ca, "Signer", 2).unwrap();
        let der = sign(b"{}", &signing.key, &signing.cert, &[]).unwrap();
        assert!(check_detached(&der, b"{}", &anchors, Timestamp::now()).is_ok());
    }
}
