//! Receipts built with the committed test PKI: a good one verifies; each tampering is refused
//! by exactly the checks that should refuse it.

use notarium::domain::Role;
use notarium::domain::canonical::meta_hash;
use serde_json::json;

use crate::fixtures::*;

#[test]
fn a_good_receipt_verifies_with_and_without_the_file() {
    let r = good_receipt();
    let report = check(&r, Some(CONTENT));
    assert!(report.valid, "{report:#?}");
    assert!(failed(&report).is_empty());
    let names = by_name(&report);
    for name in GOOD_RECEIPT_CHECKS {
        assert_eq!(names.get(name), Some(&Some(true)), "{name}");
    }
    assert_eq!((names.get("online_header"), names.get("online_head")), (Some(&None), Some(&None)));
    assert!(report.proves.iter().any(|p| p.to_string().contains("no later than")), "{:?}", report.proves);
    // Signing times have one-second precision; the bound stated is never before the receipt
    // of the record (which happened before the witnesses signed).
    for line in report.proves.iter().map(ToString::to_string).filter(|p| p.contains("no later than ")) {
        let at = line.split("no later than ").nth(1).unwrap();
        let bound: notarium::domain::Timestamp = at[..24].parse().unwrap();
        assert!(bound > r.evidence.received, "{line} vs received {}", r.evidence.received);
    }

    let without_file = check(&r, None);
    assert!(without_file.valid);
    assert_eq!(by_name(&without_file)["content_hash"], None);
}

#[test]
fn a_receipt_without_metadata_still_verifies() {
    let mut r = good_receipt();
    r.evidence.metadata = None;
    let report = check(&r, Some(CONTENT));
    assert!(report.valid, "{report:#?}");
    assert!(report.does_not_prove.iter().any(|s| s.to_string().contains("not disclosed")));

    // A record that never had metadata is not described as withholding any.
    let mut r = good_receipt();
    r.evidence.metadata = None;
    r.evidence.meta_hash = meta_hash(None);
    r = reseal_leaf(&r);
    let report = check(&r, Some(CONTENT));
    assert!(report.valid, "{report:#?}");
    assert!(!report.does_not_prove.iter().any(|s| s.to_string().contains("not disclosed")));
}

/// The receipt with its leaf rebuilt into a fresh one-leaf block signed by the test witnesses.
fn reseal_leaf(r: &notarium::domain::Receipt) -> notarium::domain::Receipt {
    let mut out = receipt_signed_by(&[TestWitness::court(), TestWitness::notary()]);
    out.evidence = r.evidence.clone();
    out.format = r.format.clone();
    out.leaf_hash = out.leaf().hash();
    let header = notarium::domain::BlockHeader {
        log: out.block.log.clone(),
        height: 1,
        prev: notarium::domain::Hash::ZERO,
        root: out.leaf_hash,
        leaves: 1,
        sealed: notarium::domain::Timestamp::now(),
    };
    out.proof = notarium::domain::InclusionProof { leaf_index: 0, leaf_count: 1, siblings: vec![] };
    out.block.height = 1;
    out.block.header = header.text();
    out.block.block_hash = header.block_hash();
    out.cosignatures =
        [TestWitness::court(), TestWitness::notary()].iter().map(|w| w.cosign(&out.block.header)).collect();
    out
}

#[test]
fn a_changed_content_byte_is_refused_by_content_hash() {
    let r = good_receipt();
    let mut file = CONTENT.to_vec();
    file[10] ^= 1;
    assert_refused_by(&check(&r, Some(&file)), &["content_hash"]);
}

#[test]
fn changed_salt_or_metadata_is_refused_by_leaf_hash() {
    let mut r = good_receipt();
    r.evidence.salt.0[0] ^= 1;
    assert_refused_by(&check(&r, None), &["leaf_hash"]);

    let mut r = good_receipt();
    r.evidence.metadata.as_mut().unwrap().insert("title".into(), json!("Another contract"));
    assert_refused_by(&check(&r, None), &["leaf_hash"]);

    // Even a forger who also replaces meta_hash breaks the leaf.
    let mut r = good_receipt();
    let m = r.evidence.metadata.as_mut().unwrap();
    m.insert("pages".into(), json!(3));
    r.evidence.meta_hash = meta_hash(Some(m));
    assert_refused_by(&check(&r, None), &["leaf_hash"]);
}

#[test]
fn a_changed_leaf_index_or_sibling_is_refused_by_inclusion_proof() {
    for index in [2, 4] {
        let mut r = good_receipt();
        r.proof.leaf_index = index;
        assert_refused_by(&check(&r, None), &["inclusion_proof"]);
    }
    let mut r = good_receipt();
    r.proof.siblings[1].0[7] ^= 1;
    assert_refused_by(&check(&r, None), &["inclusion_proof"]);

    let mut r = good_receipt();
    r.proof.leaf_count = 5;
    assert_refused_by(&check(&r, None), &["inclusion_proof"]);
}

#[test]
fn a_changed_root_is_refused() {
    // A forger who changes the root and recomputes block_hash still lacks the signatures.
    let r = with_header_edit(&good_receipt(), |h| h.root.0[0] ^= 1);
    assert_refused_by(&check(&r, None), &["inclusion_proof", "cosignature:court", "cosignature:notary", "quorum"]);

    // Changing the header text without recomputing block_hash is caught by block_hash too.
    let mut r = good_receipt();
    r.block.header = with_header_edit(&r, |h| h.root.0[0] ^= 1).block.header;
    assert_refused_by(
        &check(&r, None),
        &["inclusion_proof", "block_hash", "cosignature:court", "cosignature:notary", "quorum"],
    );
}

#[test]
fn any_changed_header_line_is_refused_by_the_cosignatures() {
    type Edit = fn(&mut notarium::domain::BlockHeader);
    let edits: [(&str, Edit); 5] = [
        ("log", |h| h.log = "notarium.test/other".parse().unwrap()),
        ("height", |h| h.height += 1),
        ("prev", |h| h.prev.0[31] ^= 1),
        ("sealed", |h| h.sealed = notarium::domain::Timestamp::from_unix_millis(h.sealed.unix_millis() - 1).unwrap()),
        ("leaves", |h| h.leaves += 1),
    ];
    for (line, edit) in edits {
        let r = with_header_edit(&good_receipt(), edit);
        let mut expected = vec!["cosignature:court", "cosignature:notary", "quorum"];
        if line == "leaves" {
            expected.push("inclusion_proof");
        }
        assert_refused_by(&check(&r, None), &expected);
    }
}

#[test]
fn every_changed_cosignature_byte_is_refused() {
    let r = good_receipt();
    let len = r.cosignatures[0].cms.len();
    for pos in 0..len {
        let mut bad = r.clone();
        bad.cosignatures[0].cms[pos] ^= 0x01;
        let report = check(&bad, None);
        let fails = failed(&report);
        assert!(!report.valid, "byte {pos} of {len}");
        assert!(fails.contains(&"quorum".to_owned()), "byte {pos}: {fails:?}");
        assert!(
            fails.iter().all(|f| f == "quorum" || f.ends_with(":court")),
            "byte {pos}: only the court's checks fail: {fails:?}"
        );
    }
    // The last byte is inside the ECDSA signature value itself.
    let mut bad = r.clone();
    bad.cosignatures[0].cms[len - 1] ^= 0x01;
    assert_refused_by(&check(&bad, None), &["cosignature:court", "quorum"]);
}

#[test]
fn a_chain_from_the_untrusted_ca_is_refused_by_chain() {
    let rogue = TestWitness::from_certs("court", Role::Court, "untrusted-court", "untrusted-court", &[]);
    let r = receipt_signed_by(&[rogue, TestWitness::notary()]);
    assert_refused_by(&check(&r, None), &["chain:court", "quorum"]);
}

#[test]
fn a_certificate_expired_at_signing_time_is_refused_by_validity() {
    let expired = TestWitness::from_certs("court", Role::Court, "expired-court", "expired-court", &[]);
    let r = receipt_signed_by(&[expired, TestWitness::notary()]);
    let report = check(&r, None);
    assert_refused_by(&report, &["validity:court", "quorum"]);
    let detail = &report.checks.iter().find(|c| c.name == "validity:court").unwrap().detail;
    assert!(detail.contains("expired"), "{detail}");
}

#[test]
fn a_merchant_or_two_ou_certificate_is_refused_by_role() {
    for cert in ["merchant", "two-ou"] {
        let w = TestWitness::from_certs("court", Role::Court, cert, cert, &[]);
        let r = receipt_signed_by(&[w, TestWitness::notary()]);
        assert_refused_by(&check(&r, None), &["role:court", "quorum"]);
    }
}

#[test]
fn a_removed_cosignature_is_refused_by_quorum() {
    let mut r = good_receipt();
    r.cosignatures.pop();
    assert_refused_by(&check(&r, None), &["quorum"]);
    let mut r = good_receipt();
    r.cosignatures.clear();
    assert_refused_by(&check(&r, None), &["quorum"]);
}

#[test]
fn the_quorum_counts_distinct_keys() {
    // One key certified as court and as notary: every per-witness check passes, the quorum not.
    let notary_same_key = TestWitness::from_certs("notary", Role::Notary, "notary-samekey", "court", &[]);
    let r = receipt_signed_by(&[TestWitness::court(), notary_same_key]);
    let report = check(&r, None);
    assert_refused_by(&report, &["quorum"]);
    let quorum = report.checks.iter().find(|c| c.name == "quorum").unwrap();
    assert!(quorum.detail.contains("1 distinct key"), "{}", quorum.detail);

    // The same key with its point written compressed is still the same key.
    let compressed = TestWitness::from_certs("notary", Role::Notary, "notary-samekey-compressed", "court", &[]);
    let r = receipt_signed_by(&[TestWitness::court(), compressed]);
    assert_refused_by(&check(&r, None), &["quorum"]);

    // The same court key twice under two witness names counts once.
    let twice = TestWitness::from_certs("court-b", Role::Court, "court", "court", &[]);
    let r = receipt_signed_by(&[TestWitness::court(), twice]);
    assert_refused_by(&check(&r, None), &["quorum"]);
}

#[test]
fn the_receipts_role_field_is_informational() {
    // `role` in the receipt is informational: the certificate decides.
    let mut r = good_receipt();
    r.cosignatures[0].role = Role::Notary;
    assert!(check(&r, None).valid);
}

#[test]
fn a_chain_that_does_not_start_with_the_signer_is_refused_by_chain() {
    let mut r = good_receipt();
    r.cosignatures[0].chain[0] = r.cosignatures[1].chain[0].clone();
    assert_refused_by(&check(&r, None), &["chain:court", "quorum"]);
}

#[test]
fn a_signer_key_off_p256_is_refused_by_cosignature() {
    use notarium::crypto::devpki::{issue_witness, new_ca};
    use notarium::crypto::{Anchor, OpensslChecker, TrustStore};
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    use openssl::pkey::PKey;

    // A P-384 court witness certified by a CA that this test trusts beside the test CA.
    let ca = new_ca("P-384 Test CA", 30).unwrap();
    let p384 = PKey::from_ec_key(EcKey::generate(&EcGroup::from_curve_name(Nid::SECP384R1).unwrap()).unwrap()).unwrap();
    let w = issue_witness(&ca, "P-384 Court", "court", 30, Some(p384)).unwrap();
    let court = TestWitness { name: "court", role: Role::Court, key: w.key, cert: w.cert, intermediates: vec![] };
    let r = receipt_signed_by(&[court, TestWitness::notary()]);
    let anchors = [ca.cert, cert("ca")].map(|cert| Anchor { cert, roles: vec![Role::Court, Role::Notary] });
    let trust = TrustStore::new(anchors.to_vec());
    let input = notarium::domain::verify::VerifyInput::default();
    let report = notarium::domain::verify::verify(&r, &input, &OpensslChecker { trust: &trust }, &Default::default());
    assert_refused_by(&report, &["cosignature:court", "quorum"]);
    let detail = &report.checks.iter().find(|c| c.name == "cosignature:court").unwrap().detail;
    assert!(detail.contains("P-256"), "{detail}");
}

/// A certificate with the court certificate's issuer and serial number, on an attacker's key.
/// `issuer_case` changes the case of the issuer name (OpenSSL compares names loosely).
fn impostor(upper_case_issuer: bool) -> (openssl::pkey::PKey<openssl::pkey::Private>, openssl::x509::X509) {
    use openssl::x509::{X509, X509NameBuilder};
    let victim = cert("court");
    let key = notarium::crypto::devpki::new_key().unwrap();
    let mut issuer = X509NameBuilder::new().unwrap();
    let (org, cn) = ("Notarium Test", "Notarium Test Root CA");
    let (org, cn) = if upper_case_issuer { (org.to_uppercase(), cn.to_uppercase()) } else { (org.into(), cn.into()) };
    issuer.append_entry_by_text("O", &org).unwrap();
    issuer.append_entry_by_text("CN", &cn).unwrap();
    let issuer = issuer.build();
    let mut subject = X509NameBuilder::new().unwrap();
    subject.append_entry_by_text("OU", "court").unwrap();
    subject.append_entry_by_text("CN", "Impostor").unwrap();
    let subject = subject.build();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    b.set_serial_number(victim.serial_number()).unwrap();
    b.set_issuer_name(&issuer).unwrap();
    b.set_subject_name(&subject).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(victim.not_before()).unwrap();
    b.set_not_after(victim.not_after()).unwrap();
    b.sign(&key, openssl::hash::MessageDigest::sha256()).unwrap();
    (key, b.build())
}

#[test]
fn an_impostor_with_the_court_certificates_issuer_and_serial_is_refused() {
    // The impostor signs and carries the real court certificate too: two certificates match
    // the signer identifier, so the co-signature is refused whichever one a tool would pick.
    let (key, fake) = impostor(false);
    let court = TestWitness { name: "court", role: Role::Court, key, cert: fake, intermediates: vec![cert("court")] };
    let r = receipt_signed_by(&[court, TestWitness::notary()]);
    let report = check(&r, None);
    assert_refused_by(&report, &["cosignature:court", "chain:court", "validity:court", "role:court", "quorum"]);
    assert!(report.checks.iter().any(|c| c.detail.contains("match the signer's identifier")), "{report:#?}");
}

#[test]
fn an_impostor_matching_only_by_loose_name_comparison_is_refused() {
    // The impostor's issuer differs from the court's only by case; its signer identifier is
    // rewritten (it is not signed) to the court's exact issuer, which only the real court
    // certificate matches byte for byte. OpenSSL must then check the signature with that
    // certificate's key, not with the impostor's.
    let (key, fake) = impostor(true);
    let court =
        TestWitness { name: "court", role: Role::Court, key, cert: fake.clone(), intermediates: vec![cert("court")] };
    let mut r = receipt_signed_by(&[court, TestWitness::notary()]);
    let (from, to) = (fake.issuer_name().to_der().unwrap(), cert("court").issuer_name().to_der().unwrap());
    assert_eq!(from.len(), to.len());
    let cms = &mut r.cosignatures[0].cms;
    let at = cms.windows(from.len()).rposition(|w| w == from.as_slice()).expect("the signer identifier");
    cms[at..at + to.len()].copy_from_slice(&to);
    r.cosignatures[0].chain = vec![
        String::from_utf8(cert("court").to_pem().unwrap()).unwrap(),
        String::from_utf8(fake.to_pem().unwrap()).unwrap(),
    ];
    let report = check(&r, None);
    assert!(!report.valid);
    assert_eq!(by_name(&report)["cosignature:court"], Some(false), "{report:#?}");
}

#[test]
fn a_ca_or_non_signing_certificate_cannot_act_as_a_witness() {
    use openssl::x509::extension::{AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier};
    let ca = notarium::crypto::devpki::KeyPair { key: key("ca"), cert: cert("ca") };
    let make = |is_ca: bool, signing: bool| {
        let w = notarium::crypto::devpki::issue_witness(&ca, "Odd Court", "court", 30, None).unwrap();
        // Re-issue the same subject and key with the profile under test.
        let mut b = openssl::x509::X509::builder().unwrap();
        b.set_version(2).unwrap();
        b.set_serial_number(w.cert.serial_number()).unwrap();
        b.set_subject_name(w.cert.subject_name()).unwrap();
        b.set_issuer_name(ca.cert.subject_name()).unwrap();
        b.set_pubkey(&w.key).unwrap();
        b.set_not_before(w.cert.not_before()).unwrap();
        b.set_not_after(w.cert.not_after()).unwrap();
        let bc = if is_ca { BasicConstraints::new().critical().ca().build() } else { BasicConstraints::new().build() };
        b.append_extension(bc.unwrap()).unwrap();
        let ku = if signing {
            KeyUsage::new().digital_signature().build()
        } else {
            KeyUsage::new().key_encipherment().build()
        };
        b.append_extension(ku.unwrap()).unwrap();
        // OpenSSL's strict mode wants key identifiers.
        let ski = SubjectKeyIdentifier::new().build(&b.x509v3_context(Some(&ca.cert), None)).unwrap();
        b.append_extension(ski).unwrap();
        let aki = AuthorityKeyIdentifier::new().keyid(true).build(&b.x509v3_context(Some(&ca.cert), None)).unwrap();
        b.append_extension(aki).unwrap();
        b.sign(&ca.key, openssl::hash::MessageDigest::sha256()).unwrap();
        TestWitness { name: "court", role: Role::Court, key: w.key, cert: b.build(), intermediates: vec![] }
    };
    assert!(check(&receipt_signed_by(&[make(false, true), TestWitness::notary()]), None).valid);
    for (is_ca, signing) in [(true, true), (false, false)] {
        let r = receipt_signed_by(&[make(is_ca, signing), TestWitness::notary()]);
        assert_refused_by(&check(&r, None), &["role:court", "quorum"]);
    }
}

#[test]
fn an_end_entity_certificate_cannot_act_as_an_intermediate() {
    let ca = notarium::crypto::devpki::KeyPair { key: key("ca"), cert: cert("ca") };
    let middle = notarium::crypto::devpki::issue_witness(&ca, "Not A CA", "court", 30, None).unwrap();
    let below = notarium::crypto::devpki::issue_witness(&middle, "Court Below", "court", 30, None).unwrap();
    let court = TestWitness {
        name: "court",
        role: Role::Court,
        key: below.key,
        cert: below.cert,
        intermediates: vec![middle.cert],
    };
    let r = receipt_signed_by(&[court, TestWitness::notary()]);
    assert_refused_by(&check(&r, None), &["chain:court", "quorum"]);
}

#[test]
fn a_chain_entry_with_extra_text_or_a_second_certificate_is_refused() {
    let court_pem = String::from_utf8(cert("court").to_pem().unwrap()).unwrap();
    let untrusted = String::from_utf8(cert("untrusted-court").to_pem().unwrap()).unwrap();
    for entry in [format!("note\n{court_pem}"), format!("{court_pem}{untrusted}"), format!("{court_pem}junk")] {
        let mut r = good_receipt();
        r.cosignatures[0].chain[0] = entry;
        assert_refused_by(&check(&r, None), &["chain:court", "quorum"]);
    }
    let mut r = good_receipt();
    r.cosignatures[1].chain[1] = String::from_utf8(cert("ca").to_pem().unwrap()).unwrap();
    assert_refused_by(&check(&r, None), &["chain:notary", "quorum"]);
}
