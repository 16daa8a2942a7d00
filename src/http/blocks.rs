//! `GET /v1/blocks/latest`, `GET /v1/blocks/{height}`: header, hash, co-signatures (public);
//! `GET /v1/blocks?from=&limit=`: pages of headers, oldest first, for a verifier's walk.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;

use crate::domain::{Hash, Role, Timestamp, WitnessName};
use crate::problem::Problem;
use crate::service::blocks::{self, BlockAt, BlockError, BlockFacts, HeaderPage, MAX_HEADERS_PER_PAGE};
use crate::store::Store;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/blocks", web::get().to(headers))
        .route("/v1/blocks/latest", web::get().to(latest))
        .route("/v1/blocks/{height}", web::get().to(at_height));
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

/// `?from=&limit=` of the header pages.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HeadersQuery {
    /// The first height (default 0).
    from: Option<u64>,
    /// Headers per page, 1 to 1000 (default 1000).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// One page of headers, oldest first.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HeadersOut {
    /// Consecutive heights from `from`, at most `limit`; empty past the newest block.
    pub headers: Vec<HeaderOut>,
    /// The `from` of the next page; null when this page ends at the newest block.
    pub next: Option<u64>,
    /// The newest anchored block (co-signed to the quorum), with its co-signatures: where a
    /// verifier's walk from a receipt's block ends. Null while no block is anchored.
    pub anchored_head: Option<BlockOut>,
}

/// One block's header as its witnesses signed it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HeaderOut {
    pub height: u64,
    /// The exact header text; its `prev` line is the `block_hash` of the header before.
    pub header: String,
    pub block_hash: Hash,
}

/// Headers from a height on, oldest first, with the anchored head (a verifier checks that the
/// receipt's block links to it: `notarium verify --online`).
#[utoipa::path(
    get,
    path = "/v1/blocks",
    tag = "blocks",
    params(HeadersQuery),
    responses((status = 200, description = "One page of headers.", body = HeadersOut,
        example = json!(super::openapi::examples::headers()))),
)]
async fn headers(query: web::Query<HeadersQuery>, store: web::Data<Store>) -> Result<HttpResponse, Problem> {
    let limit = query.limit.unwrap_or(MAX_HEADERS_PER_PAGE);
    if !(1..=MAX_HEADERS_PER_PAGE).contains(&limit) {
        return Err(Problem::new(StatusCode::BAD_REQUEST, "invalid_limit", "limit is 1 to 1000"));
    }
    let page = blocks::headers_from(&store, query.from.unwrap_or(0), limit).await.map_err(|e| Problem::internal(&e))?;
    Ok(HttpResponse::Ok().json(HeadersOut::from(page)))
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

impl From<HeaderPage> for HeadersOut {
    fn from(p: HeaderPage) -> Self {
        Self {
            headers: p
                .blocks
                .into_iter()
                .map(|b| HeaderOut { height: b.height, header: b.header, block_hash: b.block_hash })
                .collect(),
            next: p.next,
            anchored_head: p.anchored_head.map(BlockOut::from),
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
