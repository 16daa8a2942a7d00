//! Certificate checks, each a small function with one job: chain to an anchor, validity at a
//! time, the role named by the single OU, the key identity.

use openssl::bn::BigNumContext;
use openssl::ec::PointConversionForm;
use openssl::hash::{MessageDigest, hash};
use openssl::nid::Nid;
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{X509, X509PurposeId, X509StoreContext};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::domain::{Role, Timestamp};

/// Builds a chain from `leaf` through `intermediates` to one of `anchors`, with any purpose
/// allowed and without looking at validity dates (that is [`valid_at`]'s job). Returns the
/// chain found, leaf first, anchor last.
pub fn chain_to_anchor(leaf: &X509, intermediates: &[X509], anchors: &[X509]) -> Result<Vec<X509>, String> {
    if anchors.is_empty() {
        return Err("no trust anchor is allowed for this certificate's role".into());
    }
    let run = || -> Result<Result<Vec<X509>, String>, openssl::error::ErrorStack> {
        let mut store = X509StoreBuilder::new()?;
        for a in anchors {
            store.add_cert(a.clone())?;
        }
        // PARTIAL_CHAIN: an anchor may be an intermediate CA (a notary-only CA under a root).
        store.set_flags(
            X509VerifyFlags::NO_CHECK_TIME | X509VerifyFlags::X509_STRICT | X509VerifyFlags::PARTIAL_CHAIN,
        )?;
        store.set_purpose(X509PurposeId::ANY)?;
        let store = store.build();
        let mut untrusted = Stack::new()?;
        for c in intermediates {
            untrusted.push(c.clone())?;
        }
        let mut ctx = X509StoreContext::new()?;
        ctx.init(&store, leaf, &untrusted, |ctx| {
            Ok(if ctx.verify_cert()? {
                Ok(ctx.chain().map(|c| c.iter().map(|x| x.to_owned()).collect()).unwrap_or_default())
            } else {
                Err(format!("{} (at depth {})", ctx.error().error_string(), ctx.error_depth()))
            })
        })
    };
    run().map_err(|e| format!("OpenSSL error: {e}"))?
}

/// Checks that every certificate in `chain` was valid at `at`.
pub fn valid_at(chain: &[X509], at: Timestamp) -> Result<(), String> {
    let secs = at.unix_millis().div_euclid(1000);
    for cert in chain {
        let der = cert.to_der().map_err(|e| e.to_string())?;
        let (_, c) = X509Certificate::from_der(&der).map_err(|e| format!("unreadable certificate: {e}"))?;
        let v = c.validity();
        if secs < v.not_before.timestamp() {
            return Err(format!("{} is not valid before {} (signed at {at})", c.subject(), v.not_before));
        }
        if secs > v.not_after.timestamp() {
            return Err(format!("{} expired at {} (signed at {at})", c.subject(), v.not_after));
        }
    }
    Ok(())
}

/// The witness role of a certificate: its subject must hold exactly one OU, `court` or
/// `notary`.
pub fn role_of(cert: &X509) -> Result<Role, String> {
    let der = cert.to_der().map_err(|e| e.to_string())?;
    let (_, c) = X509Certificate::from_der(&der).map_err(|e| format!("unreadable certificate: {e}"))?;
    let ous: Vec<String> = c
        .subject()
        .iter_organizational_unit()
        .map(|ou| ou.as_str().map(str::to_owned).unwrap_or_else(|_| "<not a string>".into()))
        .collect();
    match ous.as_slice() {
        [one] => one.parse().map_err(|_| format!("the certificate's OU is {one:?}, not court or notary")),
        [] => Err("the certificate has no OU naming a role".into()),
        many => Err(format!("the certificate has {} OUs ({}); a witness has exactly one", many.len(), many.join(", "))),
    }
}

/// Checks that the certificate's key is ECDSA on P-256, the only co-signature key v1 allows.
pub fn is_p256(cert: &X509) -> Result<(), String> {
    let curve = cert.public_key().and_then(|k| k.ec_key()).ok().and_then(|k| k.group().curve_name());
    match curve {
        Some(Nid::X9_62_PRIME256V1) => Ok(()),
        Some(other) => Err(format!("the signer key is on curve {}, not P-256", other.short_name().unwrap_or("?"))),
        None => Err("the signer key is not an EC key on a named curve; v1 co-signatures use P-256".into()),
    }
}

/// Checks that the certificate may act as a witness: an end-entity certificate (not a CA)
/// whose key usage, when present, allows signing.
pub fn witness_profile(cert: &X509) -> Result<(), String> {
    signer_profile(cert, "a witness's", false)
}

/// Checks that the certificate may sign a document (a hospital's invoice): an end-entity
/// certificate whose key usage extension is present and allows digitalSignature or
/// nonRepudiation (a certificate only for keyCertSign or keyEncipherment is refused).
pub fn document_signer_profile(cert: &X509) -> Result<(), String> {
    signer_profile(cert, "a document signer's", true)
}

/// Not a CA; the key usage allows signing (and must be present when `usage_required`).
fn signer_profile(cert: &X509, whose: &str, usage_required: bool) -> Result<(), String> {
    let der = cert.to_der().map_err(|e| e.to_string())?;
    let (_, c) = X509Certificate::from_der(&der).map_err(|e| format!("unreadable certificate: {e}"))?;
    if c.basic_constraints().map_err(|e| e.to_string())?.is_some_and(|bc| bc.value.ca) {
        return Err(format!("the certificate is a CA certificate, not {whose}"));
    }
    match c.key_usage().map_err(|e| e.to_string())? {
        Some(ku) if !ku.value.digital_signature() && !ku.value.non_repudiation() => Err(format!(
            "the certificate's key usage ({}) allows neither digitalSignature nor nonRepudiation",
            ku.value
        )),
        None if usage_required => {
            Err("the certificate has no key usage extension; digitalSignature or nonRepudiation is required".into())
        }
        _ => Ok(()),
    }
}

/// SHA-256 of the uncompressed EC point: one id per key, whatever certifies it and however
/// the certificate spells the point (compressed or not).
pub fn key_id(cert: &X509) -> Result<[u8; 32], String> {
    let ec = cert.public_key().and_then(|k| k.ec_key()).map_err(|e| format!("not an EC key: {e}"))?;
    let mut ctx = BigNumContext::new().map_err(|e| e.to_string())?;
    let point =
        ec.public_key().to_bytes(ec.group(), PointConversionForm::UNCOMPRESSED, &mut ctx).map_err(|e| e.to_string())?;
    let digest = hash(MessageDigest::sha256(), &point).map_err(|e| e.to_string())?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&digest);
    Ok(out)
}

/// The subject as one line, for people; anything but printable ASCII is escaped, so that a
/// hostile certificate cannot send terminal control sequences.
pub fn subject_line(cert: &X509) -> String {
    cert.subject_name()
        .entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value: String =
                String::from_utf8_lossy(e.data().as_slice()).chars().flat_map(char::escape_default).collect();
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}
