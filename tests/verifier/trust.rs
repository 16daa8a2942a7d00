//! Role-bound trust: each anchor CA certifies only the roles it is configured for, even when
//! it sits under a CA trusted for another role.

use notarium::crypto::devpki::{KeyPair, issue_witness};
use notarium::crypto::{OpensslChecker, TrustArg, TrustStore};
use notarium::domain::Role;
use notarium::domain::verify::{VerifyInput, verify};

use crate::fixtures::*;
use crate::support::process::notarium;

fn role_bound() -> TrustStore {
    let ca = certs_dir().join("ca.pem");
    let notary_ca = certs_dir().join("notary-ca.pem");
    let args: Vec<TrustArg> = [format!("court={}", ca.display()), format!("notary={}", notary_ca.display())]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    TrustStore::from_args(&args).unwrap()
}

fn check_with(trust: &TrustStore, r: &notarium::domain::Receipt) -> notarium::domain::verify::VerifyReport {
    verify(r, &VerifyInput::default(), &OpensslChecker { trust }, &Default::default())
}

/// A court certificate issued by the notary intermediate CA.
fn court_by_notary_ca() -> TestWitness {
    let notary_ca = KeyPair { key: key("notary-ca"), cert: cert("notary-ca") };
    let w = issue_witness(&notary_ca, "Court By Notary CA", "court", 30, None).unwrap();
    TestWitness { name: "court", role: Role::Court, key: w.key, cert: w.cert, intermediates: vec![cert("notary-ca")] }
}

#[test]
fn role_bound_anchors_accept_a_good_receipt() {
    assert!(check_with(&role_bound(), &good_receipt()).valid);
}

#[test]
fn a_court_certificate_from_the_notary_only_ca_is_refused_by_chain() {
    let r = receipt_signed_by(&[court_by_notary_ca(), TestWitness::notary()]);
    // Trusted for every role, the same chain is fine: the refusal comes from the roles alone.
    assert!(check(&r, None).valid);
    let report = check_with(&role_bound(), &r);
    assert_refused_by(&report, &["chain:court", "quorum"]);
    let detail = &report.checks.iter().find(|c| c.name == "chain:court").unwrap().detail;
    assert!(detail.contains("may certify only notary"), "{detail}");
}

#[test]
fn one_ca_given_once_per_role_certifies_both() {
    let ca = certs_dir().join("ca.pem");
    let args: Vec<TrustArg> =
        ["court", "notary"].iter().map(|r| format!("{r}={}", ca.display()).parse().unwrap()).collect();
    let report = check_with(&TrustStore::from_args(&args).unwrap(), &good_receipt());
    assert!(report.valid, "{:?}", report.checks);
}

#[test]
fn a_notary_without_an_anchor_for_notaries_is_refused_by_chain() {
    let court_only =
        TrustStore::from_args(&[format!("court={}", certs_dir().join("ca.pem").display()).parse().unwrap()]).unwrap();
    assert_refused_by(&check_with(&court_only, &good_receipt()), &["chain:notary", "quorum"]);
}

#[test]
fn trust_arguments_parse_strictly() {
    let arg: TrustArg = "court+notary=/x.pem".parse().unwrap();
    assert_eq!(arg.roles, [Role::Court, Role::Notary]);
    assert_eq!("/x.pem".parse::<TrustArg>().unwrap().roles, [Role::Court, Role::Notary]);
    assert!("judge=/x.pem".parse::<TrustArg>().is_err());
}

#[test]
fn the_cli_and_a_trust_directory_apply_roles() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    let bad = dir.path().join("bad.json");
    std::fs::write(&good, good_receipt().to_json_pretty()).unwrap();
    std::fs::write(&bad, receipt_signed_by(&[court_by_notary_ca(), TestWitness::notary()]).to_json_pretty()).unwrap();
    let run = |args: &[String]| notarium().args(args).current_dir(dir.path()).output().unwrap().status.code();
    let s = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    let (ca, notary_ca) = (certs_dir().join("ca.pem"), certs_dir().join("notary-ca.pem"));
    let bound = |receipt: &std::path::Path| {
        vec![
            "verify".into(),
            s(receipt),
            "--trust".into(),
            format!("court={}", s(&ca)),
            "--trust".into(),
            format!("notary={}", s(&notary_ca)),
        ]
    };
    assert_eq!(run(&bound(&good)), Some(0));
    assert_eq!(run(&bound(&bad)), Some(1));
    assert_eq!(run(&["verify".into(), s(&good), "--trust".into(), format!("judge={}", s(&ca))]), Some(2));

    // The default anchors: <data>/pki/trust/*.pem with roles from trust.toml.
    let trust = dir.path().join("data/pki/trust");
    std::fs::create_dir_all(&trust).unwrap();
    std::fs::copy(&ca, trust.join("root.pem")).unwrap();
    std::fs::copy(&notary_ca, trust.join("notary-ca.pem")).unwrap();
    let default = |receipt: &std::path::Path| vec!["verify".into(), s(receipt)];
    assert_eq!(run(&default(&bad)), Some(0), "without trust.toml every anchor certifies every role");
    std::fs::write(
        trust.join("trust.toml"),
        "[anchors]\n\"root.pem\" = [\"court\"]\n\"notary-ca.pem\" = [\"notary\"]\n",
    )
    .unwrap();
    assert_eq!(run(&default(&good)), Some(0));
    assert_eq!(run(&default(&bad)), Some(1));
    std::fs::write(trust.join("trust.toml"), "[anchors]\n\"missing.pem\" = [\"court\"]\n").unwrap();
    assert_eq!(run(&default(&good)), Some(2), "trust.toml naming a missing file is unusable");
}
