//! Our co-signatures verify with the plain `openssl cms -verify` command of docs/formats.md.

use std::process::Command;

use crate::fixtures::*;
use crate::support::programs::have_openssl;

/// Runs the documented command on the cosignature `index` of a receipt; true when it succeeds.
fn openssl_accepts(header: &[u8], cms_der: &[u8], attime: i64) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let (h, p) = (dir.path().join("header.txt"), dir.path().join("w.p7s"));
    std::fs::write(&h, header).unwrap();
    std::fs::write(&p, cms_der).unwrap();
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
        .arg(&p)
        .arg("-content")
        .arg(&h)
        .arg("-CAfile")
        .arg(certs_dir().join("ca.pem"))
        .args(["-purpose", "any", "-attime", &attime.to_string(), "-out", "/dev/null"])
        .output()
        .unwrap();
    out.status.success()
}

#[test]
fn openssl_cms_verify_accepts_our_cosignatures() {
    if !have_openssl() {
        return;
    }
    let r = good_receipt();
    for cosig in &r.cosignatures {
        // -attime is the signing time the CMS carries, as docs/formats.md tells a reader to do.
        let signed = notarium::crypto::cms::inspect(&cosig.cms).unwrap().signing_time.unwrap();
        let attime = signed.unix_millis() / 1000;
        assert!(openssl_accepts(r.block.header.as_bytes(), &cosig.cms, attime), "{}", cosig.witness);
        // The same command refuses a header changed by one byte, so the check above can fail.
        let mut changed = r.block.header.clone().into_bytes();
        changed[20] ^= 1;
        assert!(!openssl_accepts(&changed, &cosig.cms, attime), "{}", cosig.witness);
    }
}

#[test]
fn openssl_sees_sha256_p256_and_a_signing_time() {
    if !have_openssl() {
        return;
    }
    let r = good_receipt();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("w.p7s");
    std::fs::write(&p, &r.cosignatures[1].cms).unwrap();
    let out =
        Command::new("openssl").args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"]).arg(&p).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("eContent: <ABSENT>"), "detached:\n{text}");
    assert!(text.contains("sha256"), "{text}");
    assert!(text.contains("ecdsa-with-SHA256"), "{text}");
    assert!(text.contains("signingTime"), "{text}");
    // The signer and its intermediate are carried; the root is not.
    let facts = notarium::crypto::cms::inspect(&r.cosignatures[1].cms).unwrap();
    assert_eq!(facts.signer_cert, cert("notary").to_der().unwrap());
    assert_eq!(facts.other_certs, vec![cert("notary-ca").to_der().unwrap()]);
    let signed = facts.signing_time.expect("a signingTime").unix_millis();
    assert!((signed - r.evidence.received.unix_millis()).abs() < 60_000, "signed when made");
}
