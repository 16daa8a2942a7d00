//! `/`: what Notarium is, how to register and verify; a logged-in visitor's latest records.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::evidence::status;
use super::{Frame, PageError, Visitor, render};
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
    let internal = |e: anyhow::Error| PageError::internal(visitor.lang, &e);
    let mut records = Vec::new();
    if let Some(session) = &visitor.session {
        for r in store.evidence_page(&session.tenant.id, None, LATEST).await.map_err(internal)? {
            let block = store.block_containing(r.seq).await.map_err(internal)?;
            records.push(Row {
                id: r.id.to_string(),
                received: r.received.to_string(),
                kind: r.kind.to_string(),
                status: status(visitor.t(), block.as_ref()).1,
            });
        }
    }
    render(&visitor, StatusCode::OK, &Home { frame: Frame::of(&visitor, "/"), records })
}
