//! The development PKI that `notarium serve` creates on first start: a CA and one court and
//! one notary witness certificate, and a separate CA for hospitals' document-signing
//! certificates, all ECDSA P-256. Key files are written 0600.

use std::path::{Path, PathBuf};

use anyhow::Context;
use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName, SubjectKeyIdentifier,
};
use openssl::x509::{X509, X509Extension, X509NameBuilder, X509NameRef};

use crate::domain::Role;
use crate::files::create_new;

/// A key and the certificate for it.
pub struct KeyPair {
    pub key: PKey<Private>,
    pub cert: X509,
}

/// Where [`write_dev_pki`] put each file.
#[derive(Debug, Clone)]
pub struct DevPkiPaths {
    pub ca_cert: PathBuf,
    pub ca_key: PathBuf,
    pub court_cert: PathBuf,
    pub court_key: PathBuf,
    pub notary_cert: PathBuf,
    pub notary_key: PathBuf,
    /// The CA of hospitals' invoice-signing certificates (not a witness anchor).
    pub hospital_ca_cert: PathBuf,
    pub hospital_ca_key: PathBuf,
    /// The operator's document-signing certificate and key.
    pub operator_cert: PathBuf,
    pub operator_key: PathBuf,
}

const ORG: &str = "Notarium Dev";

/// A new P-256 key.
pub fn new_key() -> Result<PKey<Private>, openssl::error::ErrorStack> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    PKey::from_ec_key(EcKey::generate(&group)?)
}

/// A self-signed CA certificate valid for `days` from now.
pub fn new_ca(common_name: &str, days: u32) -> Result<KeyPair, openssl::error::ErrorStack> {
    let key = new_key()?;
    let mut b = X509::builder()?;
    let name = name(common_name, None)?;
    b.set_version(2)?;
    let serial = random_serial()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(&name)?;
    b.set_pubkey(&key)?;
    b.set_not_before(&*Asn1Time::days_from_now(0)?)?;
    b.set_not_after(&*Asn1Time::days_from_now(days)?)?;
    b.append_extension(BasicConstraints::new().critical().ca().build()?)?;
    b.append_extension(KeyUsage::new().critical().key_cert_sign().crl_sign().build()?)?;
    let ski = SubjectKeyIdentifier::new().build(&b.x509v3_context(None, None))?;
    b.append_extension(ski)?;
    b.sign(&key, MessageDigest::sha256())?;
    Ok(KeyPair { key, cert: b.build() })
}

/// A witness certificate for `role` (its single OU), issued by `ca`, valid for `days`.
/// `key` reuses an existing key (tests use this to certify one key under two roles).
pub fn issue_witness(
    ca: &KeyPair,
    common_name: &str,
    ou: &str,
    days: u32,
    key: Option<PKey<Private>>,
) -> Result<KeyPair, openssl::error::ErrorStack> {
    let usage = KeyUsage::new().critical().digital_signature().non_repudiation().build()?;
    issue(ca, &*name(common_name, Some(ou))?, days, key, vec![usage])
}

/// What a TLS certificate is for.
pub enum TlsUsage<'a> {
    /// A server reached at these DNS names and IP addresses.
    Server(&'a [&'a str]),
    /// A client authenticating with it (mTLS).
    Client,
}

/// A TLS certificate issued by `ca`, valid for `days`.
pub fn issue_tls(ca: &KeyPair, common_name: &str, usage: TlsUsage, days: u32) -> anyhow::Result<KeyPair> {
    let key_usage = KeyUsage::new().critical().digital_signature().build()?;
    let mut extensions = vec![key_usage];
    let probe = X509::builder()?;
    match usage {
        TlsUsage::Server(names) => {
            extensions.push(ExtendedKeyUsage::new().server_auth().build()?);
            let mut san = SubjectAlternativeName::new();
            for n in names {
                if n.parse::<std::net::IpAddr>().is_ok() {
                    san.ip(n)
                } else {
                    san.dns(n)
                };
            }
            extensions.push(san.build(&probe.x509v3_context(Some(&ca.cert), None))?);
        }
        TlsUsage::Client => extensions.push(ExtendedKeyUsage::new().client_auth().build()?),
    }
    Ok(issue(ca, &*name(common_name, None)?, days, None, extensions)?)
}

/// A document-signing certificate (a hospital's, for invoices; the operator's, for certificate
/// PDFs) issued by `ca`, valid for `days`: key usage digitalSignature and nonRepudiation, no
/// role OU, so it can never pass as a witness.
pub fn issue_document_signer(
    ca: &KeyPair,
    common_name: &str,
    days: u32,
) -> Result<KeyPair, openssl::error::ErrorStack> {
    let usage = KeyUsage::new().critical().digital_signature().non_repudiation().build()?;
    issue_leaf(ca, common_name, days, vec![usage])
}

/// An end-entity certificate for `common_name` with exactly `extensions` (besides the basic
/// constraints and key identifiers), signed by `ca`: tests make unusual profiles with it.
pub fn issue_leaf(
    ca: &KeyPair,
    common_name: &str,
    days: u32,
    extensions: Vec<X509Extension>,
) -> Result<KeyPair, openssl::error::ErrorStack> {
    issue(ca, &*name(common_name, None)?, days, None, extensions)
}

/// An end-entity certificate for `subject` with `extensions`, signed by `ca`.
fn issue(
    ca: &KeyPair,
    subject: &X509NameRef,
    days: u32,
    key: Option<PKey<Private>>,
    extensions: Vec<X509Extension>,
) -> Result<KeyPair, openssl::error::ErrorStack> {
    let key = match key {
        Some(k) => k,
        None => new_key()?,
    };
    let mut b = X509::builder()?;
    b.set_version(2)?;
    let serial = random_serial()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(subject)?;
    b.set_issuer_name(ca.cert.subject_name())?;
    b.set_pubkey(&key)?;
    b.set_not_before(&*Asn1Time::days_from_now(0)?)?;
    b.set_not_after(&*Asn1Time::days_from_now(days)?)?;
    b.append_extension(BasicConstraints::new().critical().build()?)?;
    for e in extensions {
        b.append_extension(e)?;
    }
    let ski = SubjectKeyIdentifier::new().build(&b.x509v3_context(Some(&ca.cert), None))?;
    b.append_extension(ski)?;
    let aki = AuthorityKeyIdentifier::new().keyid(true).build(&b.x509v3_context(Some(&ca.cert), None))?;
    b.append_extension(aki)?;
    b.sign(&ca.key, MessageDigest::sha256())?;
    Ok(KeyPair { key, cert: b.build() })
}

/// The dev operator's document-signing certificate's common name.
pub const DEV_OPERATOR_CN: &str = "Notarium Dev Operator (document signing)";

/// Writes a fresh dev PKI into `dir` (created if needed): `ca.pem`, `ca.key`, `court.pem`,
/// `court.key`, `notary.pem`, `notary.key`, `hospital-ca.pem`, `hospital-ca.key`, `operator.pem`,
/// `operator.key`. Refuses to overwrite an existing key file.
pub fn write_dev_pki(dir: &Path) -> anyhow::Result<DevPkiPaths> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let ca = new_ca("Notarium Dev CA", 3650).context("making the dev CA")?;
    let court = issue_witness(&ca, "Notarium Dev Court Witness", Role::Court.as_str(), 825, None)
        .context("making the court certificate")?;
    let notary = issue_witness(&ca, "Notarium Dev Notary Witness", Role::Notary.as_str(), 825, None)
        .context("making the notary certificate")?;
    let hospital_ca = new_ca("Notarium Dev Hospital Signing CA", 3650).context("making the hospital signing CA")?;
    let paths = DevPkiPaths {
        ca_cert: dir.join("ca.pem"),
        ca_key: dir.join("ca.key"),
        court_cert: dir.join("court.pem"),
        court_key: dir.join("court.key"),
        notary_cert: dir.join("notary.pem"),
        notary_key: dir.join("notary.key"),
        hospital_ca_cert: dir.join("hospital-ca.pem"),
        hospital_ca_key: dir.join("hospital-ca.key"),
        operator_cert: dir.join("operator.pem"),
        operator_key: dir.join("operator.key"),
    };
    for (pair, cert_path, key_path) in [
        (&ca, &paths.ca_cert, &paths.ca_key),
        (&court, &paths.court_cert, &paths.court_key),
        (&notary, &paths.notary_cert, &paths.notary_key),
        (&hospital_ca, &paths.hospital_ca_cert, &paths.hospital_ca_key),
    ] {
        create_new(key_path, &pair.key.private_key_to_pem_pkcs8()?, 0o600)?;
        create_new(cert_path, &pair.cert.to_pem()?, 0o644)?;
    }
    write_operator(&ca, &paths.operator_cert, &paths.operator_key)?;
    Ok(paths)
}

/// The demo hospital's invoice-signing certificate (`demo-hospital-signing.pem`, its key
/// `demo-hospital-signing.key`, 0600, in `pki`), issued by the dev hospital signing CA: its
/// certificate's PEM, or `None` when `pki` holds no `hospital-ca.key`.
pub fn write_demo_signer(pki: &Path, common_name: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let read = |f: &str| std::fs::read(pki.join(f)).with_context(|| format!("reading {}", pki.join(f).display()));
    if !pki.join("hospital-ca.key").exists() {
        return Ok(None);
    }
    let ca = KeyPair {
        key: PKey::private_key_from_pem(&read("hospital-ca.key")?)?,
        cert: X509::from_pem(&read("hospital-ca.pem")?)?,
    };
    let signer =
        issue_document_signer(&ca, common_name, 825).context("making the demo hospital's signing certificate")?;
    let pem = signer.cert.to_pem()?;
    create_new(&pki.join("demo-hospital-signing.key"), &signer.key.private_key_to_pem_pkcs8()?, 0o600)?;
    create_new(&pki.join("demo-hospital-signing.pem"), &pem, 0o644)?;
    Ok(Some(pem))
}

/// Adds the operator's document-signing certificate to a dev PKI made before it had one
/// (`ca.key` there, `operator.pem` not).
pub fn add_dev_operator(dir: &Path) -> anyhow::Result<()> {
    let (cert_path, key_path) = (dir.join("operator.pem"), dir.join("operator.key"));
    if cert_path.exists() {
        return Ok(());
    }
    let read =
        |name: &str| std::fs::read(dir.join(name)).with_context(|| format!("reading {name} in {}", dir.display()));
    let ca = KeyPair { key: PKey::private_key_from_pem(&read("ca.key")?)?, cert: X509::from_pem(&read("ca.pem")?)? };
    write_operator(&ca, &cert_path, &key_path)
}

fn write_operator(ca: &KeyPair, cert_path: &Path, key_path: &Path) -> anyhow::Result<()> {
    let operator = issue_document_signer(ca, DEV_OPERATOR_CN, 825).context("making the operator's certificate")?;
    create_new(key_path, &operator.key.private_key_to_pem_pkcs8()?, 0o600)?;
    create_new(cert_path, &operator.cert.to_pem()?, 0o644)?;
    Ok(())
}

fn name(common_name: &str, ou: Option<&str>) -> Result<openssl::x509::X509Name, openssl::error::ErrorStack> {
    let mut n = X509NameBuilder::new()?;
    n.append_entry_by_nid(Nid::ORGANIZATIONNAME, ORG)?;
    if let Some(ou) = ou {
        n.append_entry_by_nid(Nid::ORGANIZATIONALUNITNAME, ou)?;
    }
    n.append_entry_by_nid(Nid::COMMONNAME, common_name)?;
    Ok(n.build())
}

fn random_serial() -> Result<Asn1Integer, openssl::error::ErrorStack> {
    let mut bn = BigNum::new()?;
    bn.rand(127, MsbOption::MAYBE_ZERO, false)?;
    bn.to_asn1_integer()
}
