//! Co-signatures and certificates as a receipt carries them: CMS SignedData (DER) inspected
//! for its signer, certificates and signingTime, and certificates (DER or PEM) read for the
//! facts the verifier takes from them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notarium::crypto::certs::{is_p256, key_id, role_of, subject_line, witness_profile};
use notarium::crypto::cms::{inspect, verify_signature};
use openssl::x509::X509;

fn certificate_facts(cert: &X509) {
    let _ = subject_line(cert);
    let _ = role_of(cert);
    let _ = is_p256(cert);
    let _ = witness_profile(cert);
    let _ = key_id(cert);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(facts) = inspect(data) {
        if let Ok(signer) = X509::from_der(&facts.signer_cert) {
            certificate_facts(&signer);
            let _ = verify_signature(data, b"notarium/block/v1\n", &signer);
        }
        for other in &facts.other_certs {
            if let Ok(cert) = X509::from_der(other) {
                certificate_facts(&cert);
            }
        }
    }
    if let Ok(cert) = X509::from_der(data) {
        certificate_facts(&cert);
    }
    if let Ok(certs) = X509::stack_from_pem(data) {
        certs.iter().for_each(certificate_facts);
    }
});
