//! Forged co-signers, re-signing the header of a genuine receipt with certificates made at
//! test time by `openssl`, under two authorities (a court CA and a notary CA, the court's
//! anchors kept in separate files): `verify.sh` and `notarium verify` accept the genuine
//! pair and refuse the same key for both roles, a certificate without a role OU, and a court
//! certificate issued by the notary's CA.

use std::path::Path;
use std::process::Command;

use notarium::crypto::cms::sign;
use notarium::domain::{Receipt, TenantRole};
use openssl::pkey::PKey;
use openssl::x509::X509;

use super::{Anchors, assert_verdicts, receipt_of, served_zip, zip_of};
use crate::support::TestApp;
use crate::support::programs::can_run_verify_txt;

/// Makes, in the current folder: the roots `court-ca` and `notary-ca`, the keys `court` and
/// `notary`, and the witness certificates `court` (OU=court, by court-ca), `notary` (OU=notary,
/// by notary-ca), `samekey-notary` (OU=notary, by notary-ca, with the court's key), `no-ou`
/// (no OU, by court-ca, the court's key) and `court-by-notary-ca` (OU=court, by notary-ca);
/// and `notary-sub-ca`, a notary CA under the court's root, with its `notary-of-sub` (the
/// notary's key) and `court-by-notary-sub-ca` (the court's key).
const MAKE_PKI: &str = r#"set -e
cat > ext.cnf <<'CNF'
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
serial() { printf '0x%s' "$(openssl rand -hex 8)"; }
root() {
    key "$1"
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
    openssl x509 -req -in "$1.csr" -signkey "$1.key" -days 30 -set_serial "$(serial)" -extfile ext.cnf -extensions root -out "$1.pem"
}
leaf() {
    openssl req -new -key "$2.key" -subj "$3" -out "$1.csr"
    openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -days 30 -set_serial "$(serial)" -extfile ext.cnf -extensions "${5:-leaf}" -out "$1.pem"
}
root court-ca "/O=Test Court Authority/CN=Court Root"
root notary-ca "/O=Test Notary Authority/CN=Notary Root"
key court
key notary
leaf court court "/O=Test Court/OU=court/CN=Court Witness" court-ca
leaf notary notary "/O=Test Notary/OU=notary/CN=Notary Witness" notary-ca
leaf samekey-notary court "/O=Test Notary/OU=notary/CN=Notary With The Court's Key" notary-ca
leaf no-ou court "/O=Test Court/CN=Witness Without A Role" court-ca
leaf court-by-notary-ca court "/O=Test Court/OU=court/CN=Court Witness Of The Notary CA" notary-ca
key notary-sub-ca
leaf notary-sub-ca notary-sub-ca "/O=Test Notary Authority/CN=Notary CA Under The Court Root" court-ca inter
leaf notary-of-sub notary "/O=Test Notary/OU=notary/CN=Notary Witness Of The Sub CA" notary-sub-ca
leaf court-by-notary-sub-ca court "/O=Test Court/OU=court/CN=Court Witness Of The Notary Sub CA" notary-sub-ca
"#;

/// `receipt` with its co-signature `index` replaced by one over the same header, made with
/// the key `key` and the certificate `cert` of the folder `pki`, carrying the intermediates
/// `inter`.
fn resigned(receipt: &Receipt, index: usize, pki: &Path, key: &str, cert: &str, inter: &[&str]) -> Receipt {
    let read = |name: &str| X509::from_pem(&std::fs::read(pki.join(format!("{name}.pem"))).unwrap()).unwrap();
    let key = PKey::private_key_from_pem(&std::fs::read(pki.join(format!("{key}.key"))).unwrap()).unwrap();
    let cert = read(cert);
    let inter: Vec<X509> = inter.iter().map(|name| read(name)).collect();
    let mut r = receipt.clone();
    let c = &mut r.cosignatures[index];
    c.cms = sign(r.block.header.as_bytes(), &key, &cert, &inter).unwrap();
    c.chain = std::iter::once(&cert).chain(&inter).map(|c| String::from_utf8(c.to_pem().unwrap()).unwrap()).collect();
    r
}

#[actix_web::test]
async fn forged_cosigners_fail_verify_sh_as_notarium_verify_under_per_role_anchors() {
    if !can_run_verify_txt() {
        return;
    }
    let pki = tempfile::tempdir().unwrap();
    let out = Command::new("sh").arg("-c").arg(MAKE_PKI).current_dir(pki.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let anchors = Anchors { court: pki.path().join("court-ca.pem"), notary: pki.path().join("notary-ca.pem") };

    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let content = b"a deed signed before a notary".to_vec();
    let id = app.register(&content).await.id.to_string();
    let receipt = receipt_of(&served_zip(&app, &id, &key).await);
    app.stop().await;
    let roles: Vec<String> = receipt.cosignatures.iter().map(|c| c.role.to_string()).collect();
    assert_eq!(roles, ["court", "notary"]);

    let genuine =
        resigned(&resigned(&receipt, 0, pki.path(), "court", "court", &[]), 1, pki.path(), "notary", "notary", &[]);
    let text = assert_verdicts("court and notary of their own CAs", &zip_of(&genuine), &content, &anchors, true);
    assert!(text.contains("chained to court-ca.pem") && text.contains("chained to notary-ca.pem"), "{text}");
    // With the anchors swapped, each witness's chain leads to the other role's anchor.
    let swapped = Anchors { court: anchors.notary.clone(), notary: anchors.court.clone() };
    assert_verdicts("the anchors swapped", &zip_of(&genuine), &content, &swapped, false);

    let cases = [
        ("the same key for both roles", 1, "court", "samekey-notary", "quorum: FAILED"),
        ("a certificate without a role OU", 0, "court", "no-ou", "co-signature court: FAILED"),
        ("a court certificate of the notary's CA", 0, "court", "court-by-notary-ca", "co-signature court: FAILED"),
    ];
    for (what, index, key, cert, seen) in cases {
        let forged = resigned(&genuine, index, pki.path(), key, cert, &[]);
        let text = assert_verdicts(what, &zip_of(&forged), &content, &anchors, false);
        assert!(text.contains(seen), "{what}: {text}");
    }

    // A notary CA under the court's root, as the notary's anchor: its notary passes; a court
    // certificate it issued chains to the court's root only through it, and fails.
    let nested = Anchors { court: anchors.court.clone(), notary: pki.path().join("notary-sub-ca.pem") };
    let sub = ["notary-sub-ca"];
    let genuine = resigned(&genuine, 1, pki.path(), "notary", "notary-of-sub", &sub);
    assert_verdicts("a notary of a CA under the court's root", &zip_of(&genuine), &content, &nested, true);
    let forged = resigned(&genuine, 0, pki.path(), "court", "court-by-notary-sub-ca", &sub);
    let text = assert_verdicts("a court certificate of that notary CA", &zip_of(&forged), &content, &nested, false);
    assert!(text.contains("passes through a CA of notary-ca.pem"), "{text}");
}
