//! `/`: what Notarium is, how to register and verify; a logged-in visitor's latest records.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Frame, PageError, Visitor, render};
use crate::service::Caller;
use crate::service::evidence;
use crate::store::Store;

/// Records listed on the home page.
const LATEST: u32 = 20;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home));
}

struct Row {
    id: String,
    received: String,
    kind: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    frame: Frame,
    records: Vec<Row>,
}

async fn home(visitor: Visitor, store: web::Data<Store>) -> Result<HttpResponse, PageError> {
    let mut records = Vec::new();
    if let Some(session) = &visitor.session {
        let caller = Caller(session.tenant.clone());
        let (latest, _) =
            evidence::page(&store, &caller, None, LATEST).await.map_err(|e| PageError::internal(visitor.lang, &e))?;
        records = latest
            .into_iter()
            .map(|s| Row {
                id: s.record.id.to_string(),
                received: s.record.received.to_string(),
                kind: s.record.kind.to_string(),
                status: visitor.t().status(s.status),
            })
            .collect();
    }
    render(&visitor, StatusCode::OK, &Home { frame: Frame::of(&visitor, "/"), records })
}
