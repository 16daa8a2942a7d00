//! `/e/{id}/certificate.pdf?lang=en|zh`: the certificate page as a PDF signed by the operator's
//! document-signing key (PAdES, [`crate::crypto::pades`]), with the same
//! visibility (the public facts to anyone, the content hash to the owner). At most
//! [`CONCURRENT_PDFS`] are written at once (font subsetting takes the CPU for a moment); a
//! request beyond that is answered `429` at once, to be tried again a moment later.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION};
use actix_web::{HttpResponse, web};
use tokio::sync::Semaphore;

use super::certificate_pdf::{Fonts, render};
use super::certificate_view::CertificateView;
use super::evidence::certificate_of;
use super::{PageError, Visitor};
use crate::config::{CertificateSetup, PublicUrl};
use crate::domain::Timestamp;
use crate::store::Store;

/// PDFs written at the same time.
pub const CONCURRENT_PDFS: usize = 2;
static WRITING: Semaphore = Semaphore::const_new(CONCURRENT_PDFS);

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/e/{id}/certificate.pdf", web::get().to(certificate_pdf));
}

async fn certificate_pdf(
    visitor: Visitor,
    id: web::Path<String>,
    store: web::Data<Store>,
    public_url: web::Data<PublicUrl>,
    setup: web::Data<CertificateSetup>,
) -> Result<HttpResponse, PageError> {
    let lang = visitor.lang;
    let c = certificate_of(&visitor, &id, &store).await?;
    let id = c.certified.record.id;
    let owner = visitor.is(&c.certified.record.owner);
    let url = public_url.join(&format!("/e/{id}"));
    let view = CertificateView::of(&c, lang, owner, &setup.operator, setup.zone, url);
    let Ok(_permit) = WRITING.try_acquire() else {
        return Err(PageError::new(lang, StatusCode::TOO_MANY_REQUESTS, lang.certificate().pdf_busy));
    };
    let (font, signer) = (setup.font.clone(), setup.signer.clone());
    let reason = format!("Evidence certificate {id}");
    let pdf = web::block(move || -> Result<Vec<u8>, String> {
        let signer = signer.ok_or("no document-signing key is configured")?;
        let fonts = Fonts::load(&font).map_err(|e| e.to_string())?;
        let pdf = render(&view, &fonts).map_err(|e| e.to_string())?;
        signer.sign(&pdf, Timestamp::now(), &reason).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| PageError::internal(lang, &anyhow::anyhow!("the PDF writer stopped: {e}")))?
    .map_err(|e| {
        tracing::error!("certificate PDF: {e}");
        PageError::new(lang, StatusCode::SERVICE_UNAVAILABLE, lang.certificate().pdf_unavailable)
    })?;
    let disposition = format!("inline; filename=\"certificate-{id}-{}.pdf\"", lang.code());
    Ok(visitor
        .response(StatusCode::OK)
        .content_type("application/pdf")
        .insert_header((CONTENT_DISPOSITION, disposition))
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .body(pdf))
}
