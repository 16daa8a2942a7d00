//! The evidence certificate as a one-page A4 PDF, written with krilla (typst's PDF writer):
//! the same facts and texts as the page ([`CertificateView`]), in a subset of a CJK font read
//! from `certificate_font` (Noto Sans CJK SC for text, its monospaced face for hashes), with
//! the QR code of the page's address drawn as vector squares.

mod fonts;
mod layout;

use krilla::Document;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;

pub use fonts::{FontError, Fonts};
use layout::{A4_HEIGHT, A4_WIDTH, Writer};

use super::certificate_view::CertificateView;

/// Why no PDF was written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The font could not be used.
    #[error(transparent)]
    Font(#[from] FontError),
    /// krilla refused to write the document.
    #[error("writing the certificate PDF: {0}")]
    Write(String),
}

/// The certificate as an unsigned PDF.
pub fn render(view: &CertificateView, fonts: &Fonts) -> Result<Vec<u8>, PdfError> {
    let mut document = Document::new();
    let t = view.lang.messages();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} {}", t.evidence_title, view.id))
            .language(t.html_lang.to_owned())
            .creator("Notarium".to_owned())
            .producer("Notarium (krilla)".to_owned()),
    );
    let settings = PageSettings::from_wh(A4_WIDTH, A4_HEIGHT).expect("A4 is a valid page size");
    {
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        Writer::new(&mut surface, fonts).certificate(view);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}
