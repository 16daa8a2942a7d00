//! The dev PKI `serve` creates on first start: keys 0600, and witnesses that verify.

use std::os::unix::fs::PermissionsExt;

use notarium::crypto::TrustStore;
use notarium::crypto::devpki::write_dev_pki;
use notarium::domain::Role;
use openssl::pkey::PKey;
use openssl::x509::X509;

use crate::fixtures::*;

#[test]
fn the_dev_pki_signs_receipts_that_verify_against_its_ca() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_dev_pki(dir.path()).unwrap();
    for key in [&paths.ca_key, &paths.court_key, &paths.notary_key] {
        let mode = std::fs::metadata(key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", key.display());
    }
    let load = |cert: &std::path::Path, key: &std::path::Path| {
        (
            X509::from_pem(&std::fs::read(cert).unwrap()).unwrap(),
            PKey::private_key_from_pem(&std::fs::read(key).unwrap()).unwrap(),
        )
    };
    let (court_cert, court_key) = load(&paths.court_cert, &paths.court_key);
    let (notary_cert, notary_key) = load(&paths.notary_cert, &paths.notary_key);
    let witnesses = [
        TestWitness { name: "court", role: Role::Court, key: court_key, cert: court_cert, intermediates: vec![] },
        TestWitness { name: "notary", role: Role::Notary, key: notary_key, cert: notary_cert, intermediates: vec![] },
    ];
    let r = receipt_signed_by(&witnesses);

    let dev_trust = TrustStore::from_pem_files(std::slice::from_ref(&paths.ca_cert)).unwrap();
    let input = notarium::domain::verify::VerifyInput::default();
    let report = notarium::domain::verify::verify(
        &r,
        &input,
        &notarium::crypto::OpensslChecker { trust: &dev_trust },
        &Default::default(),
    );
    assert!(report.valid, "{report:#?}");
    // The committed test CA does not vouch for the dev PKI.
    assert_refused_by(&check(&r, None), &["chain:court", "chain:notary", "quorum"]);

    // A second start must not overwrite keys.
    assert!(write_dev_pki(dir.path()).is_err());
}
