//! `GET /v1/blocks/latest`, `GET /v1/blocks/{height}`: header, hash, co-signatures (public).

use actix_web::{HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::json;

use crate::crypto::cms::inspect;
use crate::problem::Problem;
use crate::store::{BlockRow, Store};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/blocks/latest", web::get().to(latest)).route("/v1/blocks/{height}", web::get().to(at_height));
}

async fn latest(store: web::Data<Store>) -> Result<HttpResponse, Problem> {
    let block = store.latest_block().await?.ok_or_else(Problem::not_found)?;
    Ok(HttpResponse::Ok().json(block_json(&store, block).await?))
}

async fn at_height(height: web::Path<String>, store: web::Data<Store>) -> Result<HttpResponse, Problem> {
    let height: u64 = height.parse().map_err(|_| Problem::not_found())?;
    let block = store.block(height).await?.ok_or_else(Problem::not_found)?;
    Ok(HttpResponse::Ok().json(block_json(&store, block).await?))
}

async fn block_json(store: &Store, b: BlockRow) -> Result<serde_json::Value, Problem> {
    let mut cosignatures = Vec::new();
    for c in store.cosignatures(b.height).await? {
        let signing_time = inspect(&c.cms).ok().and_then(|f| f.signing_time);
        cosignatures.push(json!({
            "witness": c.witness, "role": c.role, "signing_time": signing_time, "cms": BASE64.encode(&c.cms),
        }));
    }
    Ok(json!({
        "height": b.height, "header": b.header, "block_hash": b.block_hash, "leaves": b.leaf_count,
        "sealed": b.sealed, "anchored": b.anchored, "cosignatures": cosignatures,
    }))
}
