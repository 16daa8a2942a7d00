//! `/e/{id}`: the evidence certificate. Anyone sees the public facts (DESIGN §6 and §8: the
//! operator, kind, registration time, block, its hash and root, the leaf hash, anchored status
//! and time, the witnesses' certificates) and how to verify; the logged-in owner also sees the
//! content hash, salt and metadata and downloads the receipt. A registered picture's title, author,
//! owner's name and thumbnail are shown when it is public, and to its owner. Printable on one
//! A4 page, with a QR code of the page's address. `/e/{id}/status.json` gives the public
//! status and block, for the `/register` page to poll.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::json;

use super::certificate_view::CertificateView;
use super::images::{PictureView, picture_view};
use super::qr::svg_for;
use super::{Frame, PageError, Visitor, render};
use crate::config::{CertificateSetup, PublicUrl};
use crate::domain::EvidenceId;
use crate::http::download::download;
use crate::problem::Problem;
use crate::service::Caller;
use crate::service::certificate::{Certificate, certificate};
use crate::service::evidence::{self, RecordError};
use crate::service::receipts::{self, AnchorSignal, ReceiptError, ReceiptRequest, ReceiptState, receipt_file};
use crate::store::{EvidenceRecord, Store};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // `status.json` before `{file}`, which would take it otherwise.
    cfg.route("/e/{id}", web::get().to(page))
        .route("/e/{id}/status.json", web::get().to(status_json))
        .route("/e/{id}/{file}", web::get().to(owner_download));
}

/// What only the owner sees (besides the content hash, in the certificate).
struct OwnerView {
    salt: String,
    meta_hash: String,
    metadata: Option<String>,
    /// The salt was erased (an invoice's content erasure): no new receipt.
    erased: bool,
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    frame: Frame,
    cert: CertificateView,
    /// A registered picture's title, author, owner and thumbnail (when public, or to the owner).
    picture: Option<PictureView>,
    owner: Option<OwnerView>,
    qr_svg: String,
}

/// The record's certificate: public facts to anyone, more to its owner.
async fn page(
    visitor: Visitor,
    id: web::Path<String>,
    store: web::Data<Store>,
    public_url: web::Data<PublicUrl>,
    setup: web::Data<CertificateSetup>,
) -> Result<HttpResponse, PageError> {
    let c = certificate_of(&visitor, &id, &store).await?;
    let r = &c.certified.record;
    let is_owner = visitor.is(&r.owner);
    let picture = picture_view(&store, r, is_owner).await.map_err(|e| PageError::internal(visitor.lang, &e))?;
    let owner = is_owner.then(|| OwnerView {
        salt: r.salt.map_or_else(|| visitor.t().erased.to_owned(), |s| s.to_string()),
        meta_hash: r.meta_hash.to_string(),
        metadata: r.metadata.as_ref().and_then(|m| serde_json::to_string_pretty(m).ok()),
        erased: r.salt.is_none(),
    });
    let path = format!("/e/{}", r.id);
    let page_url = public_url.join(&path);
    let page = EvidencePage {
        frame: Frame::of(&visitor, &path),
        picture,
        owner,
        qr_svg: svg_for(&page_url),
        cert: CertificateView::of(&c, visitor.lang, is_owner, &setup.operator, setup.zone, page_url),
    };
    render(&visitor, StatusCode::OK, &page)
}

/// `{status, block}`: the record's public status (`pending`, `sealed`, `anchored`) and block
/// height; `404 not_found` JSON for an unknown or malformed id.
async fn status_json(id: web::Path<String>, store: web::Data<Store>) -> Result<HttpResponse, Problem> {
    let id: EvidenceId = id.parse().map_err(|_| Problem::not_found())?;
    let s = evidence::public_status(&store, &id).await?;
    let body = json!({ "status": s.status, "block": s.block });
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(body))
}

/// The owner's receipt as `receipt.json` or `receipt.zip` (the same as the API's), or `404`
/// for anyone else and while it is not anchored; an image's `thumbnail.jpg`, to anyone when
/// it was registered as public, else to its owner only.
async fn owner_download(
    visitor: Visitor,
    path: web::Path<(String, String)>,
    store: web::Data<Store>,
    signal: web::Data<AnchorSignal>,
) -> Result<HttpResponse, PageError> {
    let (id, file) = path.into_inner();
    let id: EvidenceId = id.parse().map_err(|_| PageError::not_found(visitor.lang))?;
    if file == "thumbnail.jpg" {
        let r = evidence::public_status(&store, &id).await.map_err(|e| record_error(&visitor, e))?.record;
        return thumbnail(&visitor, &store, &r).await;
    }
    let zip = match file.as_str() {
        "receipt.json" => false,
        "receipt.zip" => true,
        _ => return Err(PageError::not_found(visitor.lang)),
    };
    let caller = visitor.session.as_ref().map(|s| Caller(s.tenant.clone()));
    let caller = caller.ok_or_else(|| PageError::not_found(visitor.lang))?;
    let now = ReceiptRequest { wait: Duration::ZERO, disclose: true };
    let internal = |e: anyhow::Error| PageError::internal(visitor.lang, &e);
    match receipts::receipt(&store, &signal, &caller, &id, now).await {
        Ok(ReceiptState::Anchored(receipt)) => {
            Ok(download(visitor.response(StatusCode::OK), receipt_file(&receipt, zip).map_err(internal)?))
        }
        Ok(ReceiptState::NotYet(_)) | Err(ReceiptError::NotFound | ReceiptError::Erased) => {
            Err(PageError::not_found(visitor.lang))
        }
        Err(ReceiptError::Internal(e)) => Err(internal(e)),
    }
}

/// The certificate of the record `id` names, for the page and its PDF; the `404` page for an
/// unknown or malformed id.
pub(super) async fn certificate_of(visitor: &Visitor, id: &str, store: &Store) -> Result<Certificate, PageError> {
    let id: EvidenceId = id.parse().map_err(|_| PageError::not_found(visitor.lang))?;
    certificate(store, &id).await.map_err(|e| record_error(visitor, e))
}

/// A record that cannot be shown, as a page.
pub(super) fn record_error(visitor: &Visitor, e: RecordError) -> PageError {
    match e {
        RecordError::NotFound => PageError::not_found(visitor.lang),
        RecordError::Internal(e) => PageError::internal(visitor.lang, &e),
    }
}

async fn thumbnail(visitor: &Visitor, store: &Store, r: &EvidenceRecord) -> Result<HttpResponse, PageError> {
    let internal = |e: anyhow::Error| PageError::internal(visitor.lang, &e);
    let Some(image) = store.image(r.seq).await.map_err(internal)? else {
        return Err(PageError::not_found(visitor.lang));
    };
    if !image.public && !visitor.is(&r.owner) {
        return Err(PageError::not_found(visitor.lang));
    }
    let jpeg = store.image_thumbnail(r.seq).await.map_err(internal)?.unwrap_or_default();
    let cache = if image.public { "public, max-age=86400" } else { "private, no-store" };
    Ok(HttpResponse::Ok().content_type("image/jpeg").insert_header(("Cache-Control", cache)).body(jpeg))
}
