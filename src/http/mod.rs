//! The actix-web application: one file per resource, the auth extractor, problem+json errors.

mod allow;
pub mod api_doc;
pub mod auth;
mod blocks;
pub mod body;
pub mod body_guard;
mod docs_ui;
pub mod download;
pub mod evidence;
pub mod images;
pub mod invoices;
pub mod limits;
mod metering;
pub mod multipart;
pub mod openapi;
pub mod ops;
pub mod receipts;
mod request_log;
pub mod tls;
pub mod verify;

pub use ops::SealerLiveness;
pub use receipts::AnchorSignal;

use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, web};

use crate::problem::Problem;

/// Each small piece of state the handlers take, registered as its own `web::Data`.
#[derive(Clone)]
pub struct AppData {
    pub store: web::Data<crate::store::Store>,
    pub ingest: web::Data<crate::ingest::Ingest>,
    pub trust: web::Data<crate::crypto::TrustStore>,
    pub hospital_anchors: web::Data<crate::crypto::document_signature::DocumentAnchors>,
    pub anchored: web::Data<AnchorSignal>,
    pub status: web::Data<crate::seal::SharedStatus>,
    pub metrics: web::Data<crate::metrics::Metrics>,
    pub upload: web::Data<multipart::Limits>,
    pub verify: web::Data<verify::VerifyLimits>,
    pub liveness: web::Data<SealerLiveness>,
    pub audit: web::Data<crate::audit::schedule::SharedAuditStatus>,
    pub limits: web::Data<limits::RateLimits>,
    pub metrics_access: web::Data<ops::MetricsAccess>,
    pub images: web::Data<crate::images::Images>,
    pub body_pace: web::Data<body_guard::BodyPace>,
    pub public_url: web::Data<crate::config::PublicUrl>,
    pub unknown_checks: web::Data<crate::service::invoices::UnknownLog>,
    pub certificate: web::Data<crate::config::CertificateSetup>,
}

impl AppData {
    fn register(self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(self.store)
            .app_data(self.ingest)
            .app_data(self.trust)
            .app_data(self.hospital_anchors)
            .app_data(self.anchored)
            .app_data(self.status)
            .app_data(self.metrics)
            .app_data(self.upload)
            .app_data(self.verify)
            .app_data(self.liveness)
            .app_data(self.audit)
            .app_data(self.limits)
            .app_data(self.metrics_access)
            .app_data(self.images)
            .app_data(self.body_pace)
            .app_data(self.public_url)
            .app_data(self.unknown_checks)
            .app_data(self.certificate);
    }
}

/// Registers every route of the API.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(evidence::routes)
        .configure(invoices::routes)
        .configure(images::routes)
        .configure(receipts::routes)
        .configure(blocks::routes)
        .configure(verify::routes)
        .configure(ops::routes)
        .configure(api_doc::routes)
        .configure(docs_ui::routes);
}

/// `400 invalid_query`: a query string that does not parse as the route's query.
pub(crate) fn invalid_query(e: impl std::fmt::Display) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "invalid_query", format!("the query string: {e}"))
}

/// The separate metrics listener (`metrics.listen`): `/metrics` only, without a credential;
/// anything else `404`.
pub fn metrics_routes(mut data: AppData) -> impl FnOnce(&mut web::ServiceConfig) {
    data.metrics_access = web::Data::new(ops::MetricsAccess::Open);
    move |cfg| {
        data.register(cfg);
        cfg.route("/metrics", web::get().to(ops::metrics))
            .default_service(web::to(|| async { Err::<HttpResponse, _>(Problem::not_found()) }));
    }
}

/// The application with its middleware, a problem+json 405 with `Allow` for a known path under
/// another method and 404 for unknown routes: the API's
/// routes, then `pages` (the HTML pages' routes, handed in by the caller so that this edge does
/// not depend on the other).
pub fn app(
    data: AppData,
    pages: fn(&mut web::ServiceConfig),
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(from_fn(limits::limit))
        .wrap(from_fn(metering::meter))
        .wrap(from_fn(request_log::log_request))
        .app_data(web::QueryConfig::default().error_handler(|e, _| invalid_query(e).into()))
        .app_data(web::PathConfig::default().error_handler(|_, _| Problem::not_found().into()))
        .configure(|cfg| data.register(cfg))
        .configure(routes)
        .configure(pages)
        .default_service(web::to(allow::unmatched))
}
