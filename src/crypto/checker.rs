//! The co-signature checker used by `notarium verify`: CMS over the header, chain to an anchor
//! allowed for the role, validity at signing time, role from the single OU.

use openssl::x509::X509;

use super::certs::{chain_to_anchor, is_p256, key_id, role_of, subject_line, valid_at, witness_profile};
use super::cms::{inspect, verify_signature};
use super::trust::TrustStore;
use crate::domain::verify::{CosignatureChecker, CosignatureChecks, Signer};
use crate::domain::{Cosignature, Role};

/// Checks co-signatures against a [`TrustStore`].
pub struct OpensslChecker<'a> {
    pub trust: &'a TrustStore,
}

impl CosignatureChecker for OpensslChecker<'_> {
    fn check(&self, header: &[u8], cosig: &Cosignature) -> CosignatureChecks {
        let facts = match inspect(&cosig.cms) {
            Ok(f) => f,
            Err(e) => return unreadable(e.to_string()),
        };
        let signer_cert = match X509::from_der(&facts.signer_cert) {
            Ok(c) => c,
            Err(e) => return unreadable(format!("the signer certificate is unreadable: {e}")),
        };

        let signature = is_p256(&signer_cert)
            .and_then(|()| verify_signature(&cosig.cms, header, &signer_cert))
            .map(|()| format!("a valid signature over the header by {}", subject_line(&signer_cert)));
        let role = role_of(&signer_cert).and_then(|r| witness_profile(&signer_cert).map(|()| r));
        let chain = match intermediates(&facts.other_certs, &cosig.chain, &facts.signer_cert) {
            Ok(inter) => chain_to_anchor(&signer_cert, &inter, &self.trust.anchors_for(role.as_ref().ok().copied()))
                .and_then(|chain| self.role_bound(chain, role.as_ref().ok().copied())),
            Err(e) => Err(e),
        };
        let validity = match facts.signing_time {
            None => Err("the co-signature has no signingTime attribute".to_owned()),
            Some(at) => {
                let certs = match &chain {
                    Ok(chain) => chain.clone(),
                    Err(_) => vec![signer_cert.clone()],
                };
                valid_at(&certs, at).map(|()| format!("every certificate of the chain was valid at {at}"))
            }
        };
        let signer = key_id(&signer_cert).ok().map(|key_id| Signer {
            key_id,
            role: role.as_ref().ok().copied(),
            signing_time: facts.signing_time,
            subject: subject_line(&signer_cert),
        });
        CosignatureChecks {
            signature,
            chain: chain.map(|chain| {
                let names: Vec<String> = chain.iter().map(subject_line).collect();
                format!("chains to a trusted anchor: {}", names.join(" <- "))
            }),
            validity,
            role: role.map(|r: Role| format!("the certificate's OU is {r}")),
            signer,
        }
    }
}

impl OpensslChecker<'_> {
    /// Refuses a chain that passes through a configured CA restricted to other roles.
    fn role_bound(&self, chain: Vec<X509>, role: Option<Role>) -> Result<Vec<X509>, String> {
        let Some(role) = role else { return Ok(chain) };
        for ca in chain.iter().skip(1) {
            if let Some(anchor) = self.trust.restricted_against(ca, role) {
                let allowed: Vec<&str> = anchor.roles.iter().map(|r| r.as_str()).collect();
                return Err(format!(
                    "certified through {}, which may certify only {}, not {role}",
                    subject_line(ca),
                    allowed.join(" and ")
                ));
            }
        }
        Ok(chain)
    }
}

/// The intermediates: the certificates the CMS carries besides the signer's. The receipt's
/// `chain` must list exactly the certificates the CMS carries, the signer's first, so that the
/// two copies can never disagree (and a damaged copy is never healed by the other).
fn intermediates(from_cms: &[Vec<u8>], receipt_chain: &[String], signer_der: &[u8]) -> Result<Vec<X509>, String> {
    let mut listed = Vec::with_capacity(receipt_chain.len());
    for (i, pem) in receipt_chain.iter().enumerate() {
        let cert = X509::from_pem(pem.as_bytes()).map_err(|e| format!("chain certificate {i} is not PEM: {e}"))?;
        // Exactly one certificate, in the standard spelling: no text around it, no second one.
        if cert.to_pem().map_err(|e| e.to_string())? != pem.as_bytes() {
            return Err(format!("chain certificate {i} is not exactly one PEM certificate"));
        }
        listed.push(cert.to_der().map_err(|e| e.to_string())?);
    }
    if listed.first().map(Vec::as_slice) != Some(signer_der) {
        return Err("the receipt's chain does not start with the certificate that signed".into());
    }
    let (mut listed_rest, mut carried) = (listed[1..].to_vec(), from_cms.to_vec());
    listed_rest.sort();
    carried.sort();
    if listed_rest != carried {
        return Err("the receipt's chain differs from the certificates the co-signature carries".into());
    }
    from_cms
        .iter()
        .map(|der| X509::from_der(der).map_err(|e| format!("a carried certificate is unreadable: {e}")))
        .collect()
}

fn unreadable(reason: String) -> CosignatureChecks {
    let dependent = || Err(format!("cannot be checked: {reason}"));
    CosignatureChecks {
        signature: Err(reason.clone()),
        chain: dependent(),
        validity: dependent(),
        role: dependent(),
        signer: None,
    }
}
