//! CMS (RFC 5652) co-signatures over block headers: detached, binary, SHA-256, ECDSA P-256,
//! with a `signingTime` signed attribute and the signer's certificate plus intermediates.
//!
//! Signing and the signature check go through OpenSSL, so what we make is what
//! `openssl cms -verify` accepts. Reading the structure (which signer, which signing time,
//! which algorithms) goes through the RustCrypto `cms` crate, since the openssl crate exposes
//! no SignerInfo accessors.

use cms::cert::CertificateChoices;
use cms::cert::x509::der::{Decode, Encode, oid::ObjectIdentifier};
use cms::cert::x509::time::Time;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{SignedData, SignerIdentifier};
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::pkey::{PKeyRef, Private};
use openssl::stack::Stack;
use openssl::x509::{X509, X509Ref};

use crate::domain::Timestamp;

const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const OID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const OID_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");

/// Signs `content` (the exact header bytes) as a detached CMS SignedData, DER.
/// `intermediates` are included after the signer certificate; never include the root.
pub fn sign(
    content: &[u8],
    key: &PKeyRef<Private>,
    cert: &X509Ref,
    intermediates: &[X509],
) -> Result<Vec<u8>, openssl::error::ErrorStack> {
    let mut certs = Stack::new()?;
    for c in intermediates {
        certs.push(c.clone())?;
    }
    let flags = CMSOptions::DETACHED | CMSOptions::BINARY | CMSOptions::NOSMIMECAP;
    CmsContentInfo::sign(Some(cert), Some(key), Some(&certs), Some(content), flags)?.to_der()
}

/// What a co-signature's structure says, read without checking anything cryptographic.
#[derive(Debug, Clone)]
pub struct CmsFacts {
    /// The certificate that the single SignerInfo names (DER).
    pub signer_cert: Vec<u8>,
    /// Every other certificate carried (DER): candidate intermediates.
    pub other_certs: Vec<Vec<u8>>,
    /// The signed `signingTime` attribute, if present.
    pub signing_time: Option<Timestamp>,
}

/// Why a co-signature's structure is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CmsError {
    /// The bytes are not DER ContentInfo holding SignedData.
    #[error("not a CMS SignedData structure: {0}")]
    Malformed(String),
    /// Not exactly one SignerInfo.
    #[error("expected exactly one signer, found {0}")]
    SignerCount(usize),
    /// Another digest or signature algorithm than SHA-256 with ECDSA.
    #[error("expected SHA-256 with ECDSA, found digest {digest} and signature {signature}")]
    Algorithm { digest: String, signature: String },
    /// The content is embedded: a co-signature must be detached.
    #[error("the signature is not detached (it embeds content)")]
    NotDetached,
    /// Versions, content type, digest list or extra parts differ from what a co-signature holds.
    #[error(
        "the SignedData framing is not that of a co-signature (version, content type, digest list, extra attributes or CRLs)"
    )]
    Framing,
    /// The bytes are BER or non-canonical DER (e.g. an unsorted certificate set).
    #[error("the co-signature is not canonical DER")]
    NotCanonical,
    /// Several carried certificates match the SignerInfo's identifier.
    #[error("{0} carried certificates match the signer's identifier; exactly one must")]
    AmbiguousSigner(usize),
    /// No carried certificate matches the SignerInfo.
    #[error("the signer's certificate is not included")]
    SignerCertMissing,
}

/// Reads the signer, its certificate, the other certificates and the signing time.
pub fn inspect(der: &[u8]) -> Result<CmsFacts, CmsError> {
    let malformed = |e: &dyn std::fmt::Display| CmsError::Malformed(e.to_string());
    let info = ContentInfo::from_der(der).map_err(|e| malformed(&e))?;
    // Only canonical DER: the decoder sorts SET OF members while OpenSSL reads them in wire
    // order, so a non-canonical encoding could make the two see different certificates first.
    if info.to_der().map_err(|e| malformed(&e))? != der {
        return Err(CmsError::NotCanonical);
    }
    if info.content_type != OID_SIGNED_DATA {
        return Err(CmsError::Malformed(format!("content type {} is not signedData", info.content_type)));
    }
    let sd: SignedData = info.content.decode_as().map_err(|e| malformed(&e))?;
    if sd.encap_content_info.econtent.is_some() {
        return Err(CmsError::NotDetached);
    }
    let signers = sd.signer_infos.0.as_slice();
    let [si] = signers else { return Err(CmsError::SignerCount(signers.len())) };
    if si.digest_alg.oid != OID_SHA256 || si.signature_algorithm.oid != OID_ECDSA_SHA256 {
        return Err(CmsError::Algorithm {
            digest: si.digest_alg.oid.to_string(),
            signature: si.signature_algorithm.oid.to_string(),
        });
    }
    // The unsigned framing is pinned too, so that no byte of a co-signature can change
    // without the co-signature being refused (RFC 5652 §5.1, §5.3 versions).
    let expected_version = match si.sid {
        SignerIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V1,
        SignerIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V3,
    };
    let digests: Vec<_> = sd.digest_algorithms.iter().map(|a| a.oid).collect();
    if sd.version != expected_version
        || si.version != expected_version
        || sd.encap_content_info.econtent_type != OID_DATA
        || digests != [OID_SHA256]
        || si.unsigned_attrs.is_some()
        || sd.crls.is_some()
    {
        return Err(CmsError::Framing);
    }

    let mut certs = Vec::new();
    for choice in sd.certificates.iter().flat_map(|set| set.0.iter()) {
        if let CertificateChoices::Certificate(c) = choice {
            let is_signer = match &si.sid {
                SignerIdentifier::IssuerAndSerialNumber(isn) => {
                    c.tbs_certificate.issuer == isn.issuer && c.tbs_certificate.serial_number == isn.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => {
                    let wanted = ski.0.as_bytes();
                    c.tbs_certificate.extensions.iter().flatten().any(|e| {
                        e.extn_id == OID_SUBJECT_KEY_ID
                            && cms::cert::x509::der::asn1::OctetString::from_der(e.extn_value.as_bytes())
                                .is_ok_and(|v| v.as_bytes() == wanted)
                    })
                }
            };
            certs.push((is_signer, c.to_der().map_err(|e| malformed(&e))?));
        }
    }
    let signer_pos = match certs.iter().filter(|(s, _)| *s).count() {
        0 => return Err(CmsError::SignerCertMissing),
        1 => certs.iter().position(|(s, _)| *s).expect("counted one"),
        n => return Err(CmsError::AmbiguousSigner(n)),
    };
    let signer_cert = certs.remove(signer_pos).1;

    let signing_time = si
        .signed_attrs
        .iter()
        .flat_map(|attrs| attrs.iter())
        .find(|a| a.oid == OID_SIGNING_TIME)
        .and_then(|a| a.values.get(0))
        .and_then(|v| v.to_der().ok())
        .and_then(|der| Time::from_der(&der).ok())
        .and_then(|t| i64::try_from(t.to_unix_duration().as_millis()).ok())
        .and_then(Timestamp::from_unix_millis);

    Ok(CmsFacts { signer_cert, other_certs: certs.into_iter().map(|(_, d)| d).collect(), signing_time })
}

/// Checks the signature over `content` (signed attributes, message digest, ECDSA) with
/// `signer`, the certificate [`inspect`] identified, and no other: OpenSSL is told not to look
/// for a signer among the carried certificates (`NOINTERN`), so that the key that verifies is
/// the key whose chain, validity and role are checked. Certificate trust is checked separately.
pub fn verify_signature(der: &[u8], content: &[u8], signer: &X509Ref) -> Result<(), String> {
    let mut cms = CmsContentInfo::from_der(der).map_err(|e| format!("OpenSSL cannot read it: {e}"))?;
    let mut only = Stack::new().map_err(|e| e.to_string())?;
    only.push(signer.to_owned()).map_err(|e| e.to_string())?;
    let flags = CMSOptions::BINARY | CMSOptions::NO_SIGNER_CERT_VERIFY | CMSOptions::NOINTERN;
    cms.verify(Some(&only), None, Some(content), None, flags)
        .map_err(|e| format!("the signature does not verify over the header: {e}"))
}
