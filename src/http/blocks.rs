//! `GET /v1/blocks/latest`, `GET /v1/blocks/{height}`: header, hash, co-signatures (public).

use actix_web::{HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::domain::{Hash, Role, Timestamp, WitnessName};
use crate::problem::Problem;
use crate::service::blocks::{self, BlockAt, BlockError, BlockFacts};
use crate::store::Store;

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
    Ok(HttpResponse::Ok().json(BlockOut::from(blocks::block(&store, BlockAt::Latest).await?)))
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
    Ok(HttpResponse::Ok().json(BlockOut::from(blocks::block(&store, BlockAt::Height(height)).await?)))
}

impl From<BlockFacts> for BlockOut {
    fn from(f: BlockFacts) -> Self {
        let b = f.block;
        Self {
            height: b.height,
            header: b.header,
            block_hash: b.block_hash,
            leaves: b.leaf_count,
            sealed: b.sealed,
            anchored: b.anchored,
            cosignatures: f
                .cosignatures
                .into_iter()
                .map(|c| BlockCosignature {
                    witness: c.witness,
                    role: c.role,
                    signing_time: c.signing_time,
                    cms: BASE64.encode(&c.cms),
                })
                .collect(),
        }
    }
}

impl From<BlockError> for Problem {
    fn from(e: BlockError) -> Self {
        match e {
            BlockError::NotFound => Problem::not_found(),
            BlockError::Internal(e) => Problem::internal(&e),
        }
    }
}
