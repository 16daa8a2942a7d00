//! PAdES baseline signing of a finished PDF (ETSI EN 319 142-1, B-B level): an incremental
//! update appends a signature dictionary (`/SubFilter /ETSI.CAdES.detached`), an invisible
//! signature field on the first page, the page and catalog with the field added, and its own
//! cross-reference section. `/ByteRange` covers the whole file but the `/Contents` hex string,
//! which receives a detached CMS SignedData (SHA-256, the signer's certificate and its
//! intermediates, an ESS signing-certificate-v2 attribute) over those bytes. One departure from
//! EN 319 142-1: OpenSSL's `CMS_sign` always adds a `signingTime` attribute, which B-B leaves
//! out in favour of `/M`; the openssl crate has no way to build the SignerInfo without it.
//! Readers (pdfsig, Acrobat) accept it; a strict PAdES validator may flag it.
//!
//! The PDF read is our own writer's output (classic cross-reference table, a catalog and page
//! that are plain dictionaries), never a visitor's: anything else is refused, not guessed at.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::pkey::{PKey, Private};
use openssl::stack::Stack;
use openssl::x509::X509;

use super::pdf_objects::{Objects, PdfShapeError};
use crate::domain::Timestamp;

/// Bytes reserved for the CMS signature (hex-encoded twice as many in the file).
pub const SIGNATURE_BYTES: usize = 8192;
/// Width of each number in the `/ByteRange` placeholder.
const RANGE_DIGITS: usize = 10;
/// `CMS_CADES` (OpenSSL 3.0, cms.h): adds the ESS signing-certificate-v2 attribute that
/// CAdES requires; the openssl crate has no name for it.
const CMS_CADES: u32 = 0x100000;

/// The operator's document-signing key with its certificate and intermediates.
pub struct DocumentSigner {
    key: PKey<Private>,
    cert: X509,
    chain: Vec<X509>,
}

impl std::fmt::Debug for DocumentSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentSigner").field("cert", &self.cert.subject_name()).finish_non_exhaustive()
    }
}

/// Why a PDF was not signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The PDF is not shaped as our writer makes it.
    #[error(transparent)]
    Shape(#[from] PdfShapeError),
    /// OpenSSL could not sign.
    #[error("signing the PDF: {0}")]
    Cms(#[from] openssl::error::ErrorStack),
    /// The signature is larger than the space reserved for it.
    #[error("the signature takes {0} bytes, more than the {SIGNATURE_BYTES} reserved")]
    TooLarge(usize),
}

impl DocumentSigner {
    pub fn new(key: PKey<Private>, cert: X509, chain: Vec<X509>) -> Self {
        Self { key, cert, chain }
    }

    /// Reads `cert` (PEM: the certificate, then its intermediates) and `key` (PEM).
    pub fn load(cert: &Path, key: &Path) -> anyhow::Result<Self> {
        let pem = std::fs::read(cert).with_context(|| format!("reading {}", cert.display()))?;
        let mut certs =
            X509::stack_from_pem(&pem).with_context(|| format!("{}: not PEM certificates", cert.display()))?;
        anyhow::ensure!(!certs.is_empty(), "{}: no certificate", cert.display());
        let leaf = certs.remove(0);
        let key_pem = std::fs::read(key).with_context(|| format!("reading {}", key.display()))?;
        let private =
            PKey::private_key_from_pem(&key_pem).with_context(|| format!("{}: not a PEM key", key.display()))?;
        anyhow::ensure!(
            leaf.public_key()?.public_eq(&private),
            "{} is not the key of the certificate {}",
            key.display(),
            cert.display()
        );
        Ok(Self::new(private, leaf, certs))
    }

    /// The certificate that signs.
    pub fn cert(&self) -> &X509 {
        &self.cert
    }

    /// `pdf` with the signature appended as an incremental update, signed at `at`.
    pub fn sign(&self, pdf: &[u8], at: Timestamp, reason: &str) -> Result<Vec<u8>, SignError> {
        let mut out = prepare(pdf, at, reason)?;
        let range = ByteRange::find(&out)?;
        // The numbers are inside the signed bytes: written before they are signed.
        range.write_ranges(&mut out);
        let mut signed = Vec::with_capacity(out.len());
        signed.extend_from_slice(&out[..range.gap_start]);
        signed.extend_from_slice(&out[range.gap_end..]);
        let mut intermediates = Stack::new()?;
        for c in &self.chain {
            intermediates.push(c.clone())?;
        }
        let flags = CMSOptions::DETACHED
            | CMSOptions::BINARY
            | CMSOptions::NOSMIMECAP
            | CMSOptions::from_bits_retain(CMS_CADES);
        let cms = CmsContentInfo::sign(Some(&self.cert), Some(&self.key), Some(&intermediates), Some(&signed), flags)?
            .to_der()?;
        if cms.len() > SIGNATURE_BYTES {
            return Err(SignError::TooLarge(cms.len()));
        }
        range.write_signature(&mut out, &cms);
        Ok(out)
    }
}

/// The gap `/ByteRange` leaves out: the `<…>` of `/Contents`, delimiters included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub gap_start: usize,
    pub gap_end: usize,
    /// Where the placeholder's numbers are written.
    numbers_at: usize,
    len: usize,
}

impl ByteRange {
    /// The placeholder of the (only) signature dictionary of a prepared PDF.
    pub fn find(pdf: &[u8]) -> Result<Self, PdfShapeError> {
        let missing = || PdfShapeError::Missing("the signature placeholder");
        let numbers_at = find(pdf, b"/ByteRange [0 ").ok_or_else(missing)? + b"/ByteRange [0 ".len();
        let gap_start = find(pdf, b"/Contents <").ok_or_else(missing)? + b"/Contents ".len();
        let gap_end = gap_start + 2 * SIGNATURE_BYTES + 2;
        if pdf.get(gap_end - 1) != Some(&b'>') {
            return Err(missing());
        }
        Ok(Self { gap_start, gap_end, numbers_at, len: pdf.len() })
    }

    /// `[0 a b c]`: the two signed ranges, the file's start up to the gap and from the gap
    /// to the end.
    pub fn ranges(&self) -> [usize; 4] {
        [0, self.gap_start, self.gap_end, self.len - self.gap_end]
    }

    /// Writes the ranges' numbers in place of the placeholder's spaces.
    fn write_ranges(&self, pdf: &mut [u8]) {
        let [_, a, b, c] = self.ranges();
        let numbers = format!("{a:<w$} {b:<w$} {c:<w$}", w = RANGE_DIGITS);
        pdf[self.numbers_at..self.numbers_at + numbers.len()].copy_from_slice(numbers.as_bytes());
    }

    /// Writes the signature (hex; the rest of the string stays zeros) in place.
    fn write_signature(&self, pdf: &mut [u8], cms: &[u8]) {
        let hex = hex::encode(cms);
        pdf[self.gap_start + 1..self.gap_start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    }
}

/// `pdf` with the update appended: placeholders for the ranges and the signature.
fn prepare(pdf: &[u8], at: Timestamp, reason: &str) -> Result<Vec<u8>, PdfShapeError> {
    let objects = Objects::read(pdf)?;
    let (sig, field) = (objects.size, objects.size + 1);
    let (catalog, page) = (objects.root, objects.first_page()?);
    let mut update = String::from("\n");
    let mut offsets = Vec::new();
    let mut object = |update: &mut String, n: u32, body: String| {
        offsets.push((n, pdf.len() + update.len()));
        let _ = write!(update, "{n} 0 obj\n{body}\nendobj\n");
    };
    let placeholder = " ".repeat(3 * RANGE_DIGITS + 2);
    let when = at.as_datetime().format("D:%Y%m%d%H%M%SZ");
    object(
        &mut update,
        sig,
        format!(
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 {placeholder}] \
             /Contents <{}> /M ({when}) /Reason ({}) >>",
            "0".repeat(2 * SIGNATURE_BYTES),
            pdf_text(reason)
        ),
    );
    object(
        &mut update,
        field,
        format!(
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Operator signature) /V {sig} 0 R /F 132 \
             /Rect [0 0 0 0] /P {page} 0 R >>"
        ),
    );
    object(&mut update, page, objects.extended(page, &format!("/Annots [{field} 0 R]"))?);
    object(
        &mut update,
        catalog,
        objects.extended(catalog, &format!("/AcroForm << /Fields [{field} 0 R] /SigFlags 3 >>"))?,
    );
    let xref_at = pdf.len() + update.len();
    offsets.sort_unstable();
    update.push_str("xref\n");
    for (n, at) in offsets {
        let _ = write!(update, "{n} 1\n{at:010} 00000 n\r\n");
    }
    let _ = write!(update, "trailer\n<< /Size {} /Root {catalog} 0 R /Prev {}", field + 1, objects.xref);
    if let Some(info) = objects.info {
        let _ = write!(update, " /Info {info} 0 R");
    }
    let mut out = Vec::with_capacity(pdf.len() + update.len() + 200);
    out.extend_from_slice(pdf);
    out.extend_from_slice(update.as_bytes());
    if let Some(id) = objects.id {
        out.extend_from_slice(b" /ID ");
        out.extend_from_slice(id);
    }
    out.extend_from_slice(format!(" >>\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    Ok(out)
}

/// A literal string's content: ASCII, with `\`, `(` and `)` escaped.
fn pdf_text(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .flat_map(|c| if matches!(c, '\\' | '(' | ')') { vec!['\\', c] } else { vec![c] })
        .collect()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[path = "pades_tests.rs"]
mod tests;
