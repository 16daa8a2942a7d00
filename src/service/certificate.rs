//! An evidence certificate's facts: the record with its block ([`evidence::certified`]), the
//! block's root, and for each co-signature the witness's certificate as the CMS carries it
//! (organisation, subject, SHA-256 fingerprint) with its signing time. The page and the PDF
//! both show these; which of them an anonymous visitor sees is the edge's rule.

use openssl::nid::Nid;
use openssl::x509::X509;

use super::evidence::{self, Certified, RecordError};
use crate::crypto::certs::subject_line;
use crate::crypto::cms::inspect;
use crate::domain::{EvidenceId, Hash, Role, Timestamp, WitnessName};
use crate::store::Store;

/// One co-signature as a certificate shows it.
#[derive(Debug, Clone)]
pub struct WitnessFacts {
    pub witness: WitnessName,
    pub role: Role,
    /// The certificate's organisation (`O=`), when it names one.
    pub organisation: Option<String>,
    /// The certificate's subject as one printable line.
    pub subject: String,
    /// SHA-256 of the certificate's DER, lowercase hex.
    pub fingerprint: String,
    /// The CMS signing time.
    pub signed: Option<Timestamp>,
}

/// Everything a certificate shows of a record.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub certified: Certified,
    /// The block's Merkle root (once sealed).
    pub root: Option<Hash>,
    pub witnesses: Vec<WitnessFacts>,
}

/// The certificate of any record, by id.
pub async fn certificate(store: &Store, id: &EvidenceId) -> Result<Certificate, RecordError> {
    let certified = evidence::certified(store, id).await?;
    let (root, witnesses) = match &certified.block {
        Some(b) => (
            Some(b.block.parsed()?.root),
            b.cosignatures.iter().map(|c| witness_facts(c.witness.clone(), c.role, &c.cms)).collect(),
        ),
        None => (None, Vec::new()),
    };
    Ok(Certificate { certified, root, witnesses })
}

/// What a stored co-signature's CMS says of its signer (stored co-signatures were checked when
/// they were accepted; one that no longer parses shows as unknown rather than failing the page).
fn witness_facts(witness: WitnessName, role: Role, cms: &[u8]) -> WitnessFacts {
    let facts = inspect(cms).ok();
    let cert = facts.as_ref().and_then(|f| X509::from_der(&f.signer_cert).ok());
    WitnessFacts {
        witness,
        role,
        organisation: cert.as_ref().and_then(|c| {
            let o = c.subject_name().entries_by_nid(Nid::ORGANIZATIONNAME).next()?;
            // Shown as text: control characters dropped, other characters (CJK names) kept.
            Some(String::from_utf8_lossy(o.data().as_slice()).chars().filter(|c| !c.is_control()).collect())
        }),
        subject: cert.as_ref().map_or_else(|| "?".to_owned(), subject_line),
        fingerprint: facts
            .as_ref()
            .map_or_else(|| "?".to_owned(), |f| hex::encode(openssl::sha::sha256(&f.signer_cert))),
        signed: facts.and_then(|f| f.signing_time),
    }
}
