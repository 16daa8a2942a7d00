//! `/blocks` (the latest blocks, their witnesses and signing times) and `/blocks/{height}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::i18n::{Lang, role_name};
use super::{Frame, PageError, Visitor, render};
use crate::crypto::cms::inspect;
use crate::store::{BlockRow, Store};

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

/// The block with its co-signatures.
pub async fn block_view(lang: Lang, store: &Store, b: BlockRow) -> anyhow::Result<BlockView> {
    let witnesses = store
        .cosignatures(b.height)
        .await?
        .into_iter()
        .map(|c| WitnessView {
            role: role_name(lang, Some(c.role)),
            signed: inspect(&c.cms).ok().and_then(|f| f.signing_time).map_or_else(|| "?".into(), |t| t.to_string()),
            name: c.witness.to_string(),
        })
        .collect();
    Ok(BlockView {
        height: b.height,
        leaves: b.leaf_count,
        sealed: b.sealed.to_string(),
        anchored: b.anchored.map(|t| t.to_string()),
        witnesses,
    })
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
    let internal = |e: anyhow::Error| PageError::internal(visitor.lang, &e);
    let rows = store.blocks_before(query.before, PAGE).await.map_err(internal)?;
    let older = (rows.len() == PAGE as usize).then(|| rows.last().map(|b| b.height)).flatten().filter(|h| *h > 0);
    let mut blocks = Vec::with_capacity(rows.len());
    for b in rows {
        blocks.push(block_view(visitor.lang, &store, b).await.map_err(internal)?);
    }
    render(&visitor, StatusCode::OK, &Blocks { frame: Frame::of(&visitor, "/blocks"), blocks, older })
}

async fn one(visitor: Visitor, height: web::Path<String>, store: web::Data<Store>) -> Result<HttpResponse, PageError> {
    let internal = |e: anyhow::Error| PageError::internal(visitor.lang, &e);
    let height: u64 = height.parse().map_err(|_| PageError::not_found(visitor.lang))?;
    let row = store.block(height).await.map_err(internal)?.ok_or_else(|| PageError::not_found(visitor.lang))?;
    let (header, block_hash) = (row.header.clone(), row.block_hash.to_string());
    let b = block_view(visitor.lang, &store, row).await.map_err(internal)?;
    let path = format!("/blocks/{height}");
    render(&visitor, StatusCode::OK, &Block { frame: Frame::of(&visitor, &path), b, header, block_hash })
}
