//! `/blocks` (the latest blocks, their witnesses and signing times) and `/blocks/{height}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::i18n::{Lang, role_name};
use super::{Frame, PageError, Visitor, render};
use crate::service::blocks::{self, BlockAt, BlockError, BlockFacts};
use crate::store::Store;

/// Blocks per page of `/blocks`.
const PAGE: u32 = 20;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/blocks", web::get().to(list)).route("/blocks/{height}", web::get().to(one));
}

/// A co-signature as shown: the witness, its role, and the signing time its CMS states.
#[derive(Clone)]
pub struct WitnessView {
    pub name: String,
    pub role: &'static str,
    pub signed: String,
}

/// A block as shown.
pub struct BlockView {
    pub height: u64,
    pub leaves: u64,
    pub sealed: String,
    pub anchored: Option<String>,
    pub witnesses: Vec<WitnessView>,
}

/// The block with its co-signatures, as shown.
pub fn block_view(lang: Lang, f: BlockFacts) -> BlockView {
    let witnesses = f
        .cosignatures
        .into_iter()
        .map(|c| WitnessView {
            role: role_name(lang, Some(c.role)),
            signed: c.signing_time.map_or_else(|| "?".into(), |t| t.to_string()),
            name: c.witness.to_string(),
        })
        .collect();
    let b = f.block;
    BlockView {
        height: b.height,
        leaves: b.leaf_count,
        sealed: b.sealed.to_string(),
        anchored: b.anchored.map(|t| t.to_string()),
        witnesses,
    }
}

#[derive(Template)]
#[template(path = "blocks.html")]
struct Blocks {
    frame: Frame,
    blocks: Vec<BlockView>,
    older: Option<u64>,
}

#[derive(Template)]
#[template(path = "block.html")]
struct Block {
    frame: Frame,
    b: BlockView,
    header: String,
    block_hash: String,
}

#[derive(Deserialize)]
struct ListQuery {
    before: Option<u64>,
}

async fn list(
    visitor: Visitor,
    query: web::Query<ListQuery>,
    store: web::Data<Store>,
) -> Result<HttpResponse, PageError> {
    let (facts, older) =
        blocks::page(&store, query.before, PAGE).await.map_err(|e| PageError::internal(visitor.lang, &e))?;
    let blocks = facts.into_iter().map(|f| block_view(visitor.lang, f)).collect();
    render(&visitor, StatusCode::OK, &Blocks { frame: Frame::of(&visitor, "/blocks"), blocks, older })
}

async fn one(visitor: Visitor, height: web::Path<String>, store: web::Data<Store>) -> Result<HttpResponse, PageError> {
    let height: u64 = height.parse().map_err(|_| PageError::not_found(visitor.lang))?;
    let facts = blocks::block(&store, BlockAt::Height(height)).await.map_err(|e| block_error(&visitor, e))?;
    let (header, block_hash) = (facts.block.header.clone(), facts.block.block_hash.to_string());
    let b = block_view(visitor.lang, facts);
    let path = format!("/blocks/{height}");
    render(&visitor, StatusCode::OK, &Block { frame: Frame::of(&visitor, &path), b, header, block_hash })
}

/// A block that cannot be shown, as a page.
fn block_error(visitor: &Visitor, e: BlockError) -> PageError {
    match e {
        BlockError::NotFound => PageError::not_found(visitor.lang),
        BlockError::Internal(e) => PageError::internal(visitor.lang, &e),
    }
}
