//! Building real receipts in tests with the committed test PKI under `certs/`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use notarium::crypto::TrustStore;
use notarium::crypto::cms::sign;
use notarium::domain::canonical::{meta_commitment, meta_hash};
use notarium::domain::leaf::LeafVersion;
use notarium::domain::merkle::MerkleTree;
use notarium::domain::receipt::{RECEIPT_FORMAT, RECEIPT_FORMAT_V2};
use notarium::domain::verify::{QuorumPolicy, VerifyInput, VerifyReport, verify};
use notarium::domain::*;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use serde_json::json;

pub fn certs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("certs")
}

pub fn cert(name: &str) -> X509 {
    X509::from_pem(&std::fs::read(certs_dir().join(format!("{name}.pem"))).unwrap()).unwrap()
}

pub fn key(name: &str) -> PKey<Private> {
    PKey::private_key_from_pem(&std::fs::read(certs_dir().join(format!("{name}.key"))).unwrap()).unwrap()
}

/// A witness as tests sign with it.
pub struct TestWitness {
    pub name: &'static str,
    pub role: Role,
    pub key: PKey<Private>,
    pub cert: X509,
    pub intermediates: Vec<X509>,
}

impl TestWitness {
    pub fn court() -> Self {
        Self::from_certs("court", Role::Court, "court", "court", &[])
    }

    pub fn notary() -> Self {
        Self::from_certs("notary", Role::Notary, "notary", "notary", &["notary-ca"])
    }

    /// `cert_name`'s certificate with `key_name`'s key.
    pub fn from_certs(name: &'static str, role: Role, cert_name: &str, key_name: &str, inter: &[&str]) -> Self {
        Self {
            name,
            role,
            key: key(key_name),
            cert: cert(cert_name),
            intermediates: inter.iter().map(|n| cert(n)).collect(),
        }
    }

    pub fn cosign(&self, header: &str) -> Cosignature {
        let cms = sign(header.as_bytes(), &self.key, &self.cert, &self.intermediates).unwrap();
        let chain = std::iter::once(&self.cert)
            .chain(&self.intermediates)
            .map(|c| String::from_utf8(c.to_pem().unwrap()).unwrap())
            .collect();
        Cosignature { witness: self.name.parse().unwrap(), role: self.role, cms, chain }
    }
}

/// The original file of the test receipt.
pub const CONTENT: &[u8] = b"%PDF-1.7 a contract the parties signed on 2026-11-20\n";

/// A receipt for [`CONTENT`] at leaf 3 of a 6-leaf block, co-signed by `witnesses`.
pub fn receipt_signed_by(witnesses: &[TestWitness]) -> Receipt {
    let metadata: Metadata =
        serde_json::from_value(json!({"title": "Contract", "file_name": "c.pdf", "pages": 2})).unwrap();
    receipt_with_metadata(metadata, witnesses)
}

/// As [`receipt_signed_by`], for a record registered with `metadata` before v2: a v1 receipt.
pub fn receipt_with_metadata(metadata: Metadata, witnesses: &[TestWitness]) -> Receipt {
    let evidence = ReceiptEvidence {
        id: EvidenceId::generate(),
        kind: EvidenceKind::Contract,
        content_hash: Hash::of(CONTENT),
        salt: Salt(openssl_random()),
        meta_hash: meta_hash(Some(&metadata)),
        meta_salt: None,
        owner: TenantId::generate(),
        received: Timestamp::now(),
        metadata: Some(metadata),
    };
    sealed(evidence, LeafVersion::V1, witnesses)
}

/// A v2 receipt for [`CONTENT`], of a record registered with `metadata` (or none), disclosed
/// with its `meta_salt`.
pub fn receipt_v2(metadata: Option<Metadata>, witnesses: &[TestWitness]) -> Receipt {
    let meta_salt = Salt(openssl_random());
    let evidence = ReceiptEvidence {
        id: EvidenceId::generate(),
        kind: EvidenceKind::Contract,
        content_hash: Hash::of(CONTENT),
        salt: Salt(openssl_random()),
        meta_hash: meta_commitment(Some(&meta_salt), metadata.as_ref()),
        meta_salt: Some(meta_salt),
        owner: TenantId::generate(),
        received: Timestamp::now(),
        metadata,
    };
    sealed(evidence, LeafVersion::V2, witnesses)
}

/// `evidence` as leaf 3 of a 6-leaf block co-signed by `witnesses`, in a receipt of `version`.
fn sealed(evidence: ReceiptEvidence, version: LeafVersion, witnesses: &[TestWitness]) -> Receipt {
    let leaf_hash = evidence.leaf(version).hash();
    // OpenSSL stamps `signingTime` from time(2), the kernel's coarse clock, which may lag the
    // precise clock of `received` by a tick (a few milliseconds): sign one tick later, as a
    // real block always is, so that a signing time never reads as before the record.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut leaves: Vec<Hash> = (0..6u8).map(|i| Hash::of(&[i])).collect();
    leaves[3] = leaf_hash;
    let tree = MerkleTree::from_leaves(&leaves);
    let header = BlockHeader {
        log: "notarium.test/dev".parse().unwrap(),
        height: 7,
        prev: Hash::of(b"block 6"),
        root: tree.root(),
        leaves: 6,
        sealed: Timestamp::now(),
    };
    let text = header.text();
    Receipt {
        format: if version == LeafVersion::V2 { RECEIPT_FORMAT_V2 } else { RECEIPT_FORMAT }.into(),
        evidence,
        leaf_hash,
        proof: InclusionProof { leaf_index: 3, leaf_count: 6, siblings: tree.proof(3).unwrap() },
        block: ReceiptBlock {
            log: header.log.clone(),
            height: 7,
            block_hash: header.block_hash(),
            header: text.clone(),
        },
        cosignatures: witnesses.iter().map(|w| w.cosign(&text)).collect(),
    }
}

/// The checks that pass for [`good_receipt`] verified with its file.
pub const GOOD_RECEIPT_CHECKS: [&str; 13] = [
    "content_hash",
    "leaf_hash",
    "inclusion_proof",
    "block_hash",
    "cosignature:court",
    "chain:court",
    "validity:court",
    "role:court",
    "cosignature:notary",
    "chain:notary",
    "validity:notary",
    "role:notary",
    "quorum",
];

/// A receipt co-signed by the valid court and notary witnesses.
pub fn good_receipt() -> Receipt {
    receipt_signed_by(&[TestWitness::court(), TestWitness::notary()])
}

pub fn test_trust() -> TrustStore {
    TrustStore::from_pem_files(&[certs_dir().join("ca.pem")]).unwrap()
}

pub fn check(receipt: &Receipt, file: Option<&[u8]>) -> VerifyReport {
    let input = VerifyInput { file_hash: file.map(Hash::of), online_header: None, ..Default::default() };
    let trust = test_trust();
    verify(receipt, &input, &notarium::crypto::OpensslChecker { trust: &trust }, &QuorumPolicy::default())
}

/// The names of the checks that failed, sorted.
pub fn failed(report: &VerifyReport) -> Vec<String> {
    let mut names: Vec<String> = report.checks.iter().filter(|c| c.ok == Some(false)).map(|c| c.name.clone()).collect();
    names.sort();
    names
}

/// Asserts the report is invalid and exactly `expected` checks failed.
pub fn assert_refused_by(report: &VerifyReport, expected: &[&str]) {
    let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert!(!report.valid, "expected an invalid receipt: {report:#?}");
    assert_eq!(failed(report), want, "{:#?}", report.checks);
    assert!(report.proves.is_empty());
}

/// Re-signs the receipt's header after `edit` changed it, keeping `block` consistent, as a
/// forger who controls the operator's database would.
pub fn with_header_edit(r: &Receipt, edit: impl Fn(&mut BlockHeader)) -> Receipt {
    let mut r = r.clone();
    let mut header = BlockHeader::parse(&r.block.header).unwrap();
    edit(&mut header);
    r.block.header = header.text();
    r.block.log = header.log.clone();
    r.block.height = header.height;
    r.block.block_hash = header.block_hash();
    r
}

fn openssl_random() -> [u8; 32] {
    let mut b = [0u8; 32];
    openssl::rand::rand_bytes(&mut b).unwrap();
    b
}

/// The checks of a report by name.
pub fn by_name(report: &VerifyReport) -> BTreeMap<String, Option<bool>> {
    report.checks.iter().map(|c| (c.name.clone(), c.ok)).collect()
}
