//! `GET /v1/blocks/latest`, `GET /v1/blocks/{height}`: header, hash, co-signatures (public).

use crate::crypto::cms::inspect;
use crate::domain::{Hash, Role, Timestamp, WitnessName};
use crate::problem::Problem;
use crate::store::{BlockRow, Store};
use actix_web::{HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/blocks/latest", web::get().to(latest)).route("/v1/blocks/{height}", web::get().to(at_height));
}

/// A block: its header text, hash and co-signatures.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BlockOut {
    pub height: u64,
    /// The exact header text the witnesses signed.
    pub header: String,
    pub block_hash: Hash,
    /// The number of leaves (records) in the block.
    pub leaves: u64,
    pub sealed: Timestamp,
    /// When the co-signatures met the quorum; null before.
    pub anchored: Option<Timestamp>,
    pub cosignatures: Vec<BlockCosignature>,
}

/// One witness's co-signature of a block.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BlockCosignature {
    pub witness: WitnessName,
    pub role: Role,
    /// The CMS signing time, when the signature carries one.
    pub signing_time: Option<Timestamp>,
    /// CMS SignedData (DER), base64.
    #[schema(value_type = String, format = Byte)]
    pub cms: String,
}

/// The latest block.
#[utoipa::path(
    get,
    path = "/v1/blocks/latest",
    tag = "blocks",
    responses((status = 200, description = "The block.", body = BlockOut, example = json!(super::openapi::examples::block()))),
)]
async fn latest(store: web::Data<Store>) -> Result<HttpResponse, Problem> {
    let block = store.latest_block().await?.ok_or_else(Problem::not_found)?;
    Ok(HttpResponse::Ok().json(block_json(&store, block).await?))
}

/// The block at this height.
#[utoipa::path(
    get,
    path = "/v1/blocks/{height}",
    tag = "blocks",
    params(("height" = u64, Path, description = "The block height, from 0.")),
    responses((status = 200, description = "The block.", body = BlockOut, example = json!(super::openapi::examples::block()))),
)]
async fn at_height(height: web::Path<String>, store: web::Data<Store>) -> Result<HttpResponse, Problem> {
    let height: u64 = height.parse().map_err(|_| Problem::not_found())?;
    let block = store.block(height).await?.ok_or_else(Problem::not_found)?;
    Ok(HttpResponse::Ok().json(block_json(&store, block).await?))
}

async fn block_json(store: &Store, b: BlockRow) -> Result<BlockOut, Problem> {
    let mut cosignatures = Vec::new();
    for c in store.cosignatures(b.height).await? {
        let signing_time = inspect(&c.cms).ok().and_then(|f| f.signing_time);
        cosignatures.push(BlockCosignature {
            witness: c.witness,
            role: c.role,
            signing_time,
            cms: BASE64.encode(&c.cms),
        });
    }
    Ok(BlockOut {
        height: b.height,
        header: b.header,
        block_hash: b.block_hash,
        leaves: b.leaf_count,
        sealed: b.sealed,
        anchored: b.anchored,
        cosignatures,
    })
}
