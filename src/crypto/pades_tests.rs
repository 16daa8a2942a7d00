use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::x509::store::X509StoreBuilder;

use super::*;
use crate::crypto::devpki::{issue_document_signer, new_ca};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n\
3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n\
xref\n0 4\n0000000000 65535 f\r\n0000000009 00000 n\r\n0000000058 00000 n\r\n0000000115 00000 n\r\n\
trailer\n<< /Size 4 /Root 1 0 R /ID [<00ff> <00ff>] >>\nstartxref\n186\n%%EOF";

/// The numbers written in the file's `/ByteRange [ … ]`.
fn written_ranges(pdf: &[u8]) -> Vec<usize> {
    let at = find(pdf, b"/ByteRange [").unwrap() + b"/ByteRange [".len();
    let end = at + pdf[at..].iter().position(|b| *b == b']').unwrap();
    String::from_utf8_lossy(&pdf[at..end]).split_whitespace().map(|n| n.parse().unwrap()).collect()
}

fn signed_bytes(pdf: &[u8], r: &[usize]) -> Vec<u8> {
    [&pdf[r[0]..r[0] + r[1]], &pdf[r[2]..r[2] + r[3]]].concat()
}

#[test]
fn the_byte_range_covers_the_whole_file_but_the_contents_string() {
    let prepared = prepare(PDF, Timestamp::now(), "test").unwrap();
    let range = ByteRange::find(&prepared).unwrap();
    let [start, a, b, c] = range.ranges();
    assert_eq!(start, 0);
    assert_eq!(prepared[a], b'<', "the gap starts at the hex string's '<'");
    assert_eq!(prepared[b - 1], b'>', "and ends after its '>'");
    assert_eq!(b - a, 2 * SIGNATURE_BYTES + 2);
    assert_eq!(a + (b - a) + c, prepared.len(), "nothing else is left out");
    assert!(prepared.starts_with(PDF), "an incremental update: the original bytes are kept");
}

#[test]
fn the_signature_verifies_over_the_ranges_and_not_after_a_change() {
    let ca = new_ca("Test CA", 2).unwrap();
    let operator = issue_document_signer(&ca, "Test Operator", 2).unwrap();
    let signer = DocumentSigner::new(operator.key, operator.cert, vec![]);
    let pdf = signer.sign(PDF, Timestamp::now(), "Evidence certificate").unwrap();
    let ranges = written_ranges(&pdf);
    assert_eq!(ranges, ByteRange::find(&pdf).unwrap().ranges(), "the placeholder holds the ranges");
    assert_eq!(ranges[3] + ranges[2], pdf.len());
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/SubFilter /ETSI.CAdES.detached") && text.contains("/Prev 186"));
    assert!(text.contains("/Annots [5 0 R]") && text.contains("/AcroForm << /Fields [5 0 R] /SigFlags 3 >>"));

    let at = ranges[1] + 1;
    let hex = &pdf[at..at + 2 * SIGNATURE_BYTES];
    let der = hex::decode(hex).unwrap();
    // SEQUENCE with a two-byte length: the signature's own length, the zeros after it left out.
    assert_eq!(der[..2], [0x30, 0x82]);
    let der = &der[..4 + usize::from(u16::from_be_bytes([der[2], der[3]]))];
    let mut store = X509StoreBuilder::new().unwrap();
    store.add_cert(ca.cert.clone()).unwrap();
    let store = store.build();
    let verify = |content: &[u8]| {
        let mut cms = CmsContentInfo::from_der(der).unwrap();
        cms.verify(None, Some(&store), Some(content), None, CMSOptions::BINARY).is_ok()
    };
    assert!(verify(&signed_bytes(&pdf, &ranges)));
    let mut changed = pdf.clone();
    changed[20] ^= 1;
    assert!(!verify(&signed_bytes(&changed, &ranges)), "one byte changed");
}

#[test]
fn a_pdf_not_shaped_as_ours_is_refused() {
    let signer = {
        let ca = new_ca("Test CA", 2).unwrap();
        let op = issue_document_signer(&ca, "Test Operator", 2).unwrap();
        DocumentSigner::new(op.key, op.cert, vec![])
    };
    assert!(matches!(signer.sign(b"%PDF-1.7\n", Timestamp::now(), "x"), Err(SignError::Shape(_))));
    let with_form = String::from_utf8_lossy(PDF).replace("/Pages 2 0 R", "/Pages 2 0 R /AcroForm 9 0 R");
    assert!(matches!(signer.sign(with_form.as_bytes(), Timestamp::now(), "x"), Err(SignError::Shape(_))));
}
