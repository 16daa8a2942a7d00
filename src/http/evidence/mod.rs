//! `/v1/evidence`: register (hash-only JSON or an upload), batch, list, lookup, get.

mod upload;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::canonical::unique_keys_metadata;
use crate::domain::{EvidenceId, EvidenceKind, EvidenceStatus, Hash, Metadata, Timestamp};
use crate::http::auth::Caller;
use crate::http::body::{MAX_JSON_BYTES, media_type, parse_json, read_limited, require_json, unsupported};
use crate::http::multipart::Limits;
use crate::ingest::Ingest;
use crate::problem::{FieldError, Problem};
use crate::service::evidence::{self, ItemError, ItemProblem, MAX_METADATA_BYTES, RecordError, RegisterError};
use crate::service::records::RecordState;
use crate::store::{EvidenceRecord, NewEvidence, Store};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/evidence", web::post().to(create))
        .route("/v1/evidence", web::get().to(list))
        .route("/v1/evidence/batch", web::post().to(batch))
        .route("/v1/evidence/lookup", web::post().to(lookup))
        .route("/v1/evidence/{id}", web::get().to(get));
}

/// One hash-only item, as sent: the file never leaves the client, only its BLAKE3.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceIn {
    /// `document`, `contract` or `image` here; the other kinds have their own routes.
    #[schema(value_type = super::openapi::GenericKind)]
    pub kind: EvidenceKind,
    /// BLAKE3 of the file.
    pub content_hash: Hash,
    /// Any JSON object, at most 16 KiB as canonical JSON; duplicate keys are refused.
    #[serde(default, deserialize_with = "unique_keys_metadata")]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Metadata>,
}

/// 1 to 10,000 hash-only items, registered all or none.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchIn {
    #[schema(min_items = 1, max_items = 10_000)]
    items: Vec<EvidenceIn>,
}

/// The hash to look up among the caller's records.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupIn {
    content_hash: Hash,
}

/// Records, in the order the route gives them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvidenceItems {
    pub items: Vec<EvidenceOut>,
}

/// One page of the caller's records, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvidencePage {
    pub items: Vec<EvidenceOut>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A record as the owner sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvidenceOut {
    pub id: EvidenceId,
    pub kind: EvidenceKind,
    pub content_hash: Hash,
    pub meta_hash: Hash,
    pub leaf_hash: Hash,
    pub received: Timestamp,
    /// `pending`, `sealed` or `anchored`.
    pub status: EvidenceStatus,
    /// The height of the block that holds the record, once sealed.
    pub block: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Metadata>,
    /// Where to fetch the receipt; null once the record's content was erased (an invoice's
    /// `DELETE …/content`): that route then answers `410 content_erased`, while receipts issued
    /// before stay valid.
    pub receipt: Option<String>,
}

impl From<RecordState> for EvidenceOut {
    fn from(s: RecordState) -> Self {
        Self::with_status(s.record, s.status, s.block)
    }
}

impl EvidenceOut {
    /// The record with its status from the block that holds it, if any.
    pub async fn of(store: &Store, r: EvidenceRecord) -> Result<Self, Problem> {
        Ok(crate::service::records::one_with_status(store, r).await?.into())
    }

    pub fn with_status(r: EvidenceRecord, status: EvidenceStatus, block: Option<u64>) -> Self {
        Self {
            receipt: r.salt.is_some().then(|| format!("/v1/evidence/{}/receipt", r.id)),
            id: r.id,
            kind: r.kind,
            content_hash: r.content_hash,
            meta_hash: r.meta_hash,
            leaf_hash: r.leaf_hash,
            received: r.received,
            status,
            block,
            metadata: r.metadata,
        }
    }
}

/// Registers one record: hash-only JSON, or a multipart upload hashed by the server.
#[utoipa::path(
    post,
    path = "/v1/evidence",
    tag = "evidence",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200,
        description = "A repeat with the same key and body returns the first result.")),
    request_body(content(
        (EvidenceIn = "application/json", example = json!(super::openapi::examples::evidence_in())),
        (super::openapi::EvidenceUpload = "multipart/form-data"),
    )),
    responses((status = 201, description = "The record, `pending`.", body = EvidenceOut,
        example = json!(super::openapi::examples::evidence_out()))),
)]
async fn create(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, Problem> {
    let idem = idempotency_key(&req)?;
    let (item, request_hash) = match media_type(&req).as_str() {
        "application/json" => {
            let body = read_limited(payload, MAX_JSON_BYTES).await?;
            let item: EvidenceIn = parse_json(&body)?;
            (item.into(), Hash::of(&body))
        }
        "multipart/form-data" => upload::receive(&req, payload, &caller, &limits).await?,
        other => return Err(unsupported(other, "application/json or multipart/form-data")),
    };
    let record = evidence::register(&ingest, &store, &caller, item, idem.map(|k| (k, request_hash))).await?;
    Ok(HttpResponse::Created().json(EvidenceOut::from(record)))
}

/// Registers 1 to 10,000 hash-only items, all or none; field errors point at `/items/{i}/...`.
#[utoipa::path(
    post,
    path = "/v1/evidence/batch",
    tag = "evidence",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200,
        description = "A repeat with the same key and body returns the first result.")),
    request_body(content = BatchIn, example = json!({ "items": [super::openapi::examples::evidence_in()] })),
    responses((status = 201, description = "The records, in the order sent.", body = EvidenceItems,
        example = json!({ "items": [super::openapi::examples::evidence_out()] }))),
)]
async fn batch(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
) -> Result<HttpResponse, Problem> {
    require_json(&req)?;
    let idem = idempotency_key(&req)?;
    let body = read_limited(payload, MAX_JSON_BYTES).await?;
    let batch: BatchIn = parse_json(&body)?;
    let items = batch.items.into_iter().map(NewEvidence::from).collect();
    let records = evidence::register_batch(&ingest, &store, &caller, items, idem.map(|k| (k, Hash::of(&body)))).await?;
    Ok(HttpResponse::Created().json(EvidenceItems { items: records.into_iter().map(EvidenceOut::from).collect() }))
}

impl From<EvidenceIn> for NewEvidence {
    fn from(item: EvidenceIn) -> Self {
        Self { kind: item.kind, content_hash: item.content_hash, metadata: item.metadata }
    }
}

/// Checks what the types cannot (an allowed kind, metadata size), as a single record.
pub fn checked(item: EvidenceIn) -> Result<NewEvidence, Problem> {
    let item = NewEvidence::from(item);
    let errors = evidence::check_item(None, &item);
    if errors.is_empty() { Ok(item) } else { Err(RegisterError::Invalid(errors).into()) }
}

impl From<RegisterError> for Problem {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::Invalid(errors) => Problem::invalid(errors.iter().map(field_error).collect()),
            RegisterError::BatchSize(_) => Problem::invalid_field("/items", "batch_size", e.to_string()),
            RegisterError::KeyReused => Problem::new(
                StatusCode::CONFLICT,
                "idempotency_key_reused",
                "this Idempotency-Key was used with another request body",
            ),
            RegisterError::Internal(e) => Problem::internal(&e),
        }
    }
}

impl From<RecordError> for Problem {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::NotFound => Problem::not_found(),
            RecordError::Internal(e) => Problem::internal(&e),
        }
    }
}

/// An item's problem, pointing at `/kind` of a single record or `/items/{i}/kind` of a batch.
fn field_error(e: &ItemError) -> FieldError {
    let at = e.index.map_or_else(String::new, |i| format!("/items/{i}"));
    match e.problem {
        ItemProblem::KindNotAllowed(kind) => FieldError::new(
            format!("{at}/kind"),
            "kind_not_allowed",
            format!("{kind} evidence is registered through its own route"),
        ),
        ItemProblem::MetadataTooLarge => FieldError::new(
            format!("{at}/metadata"),
            "too_large",
            format!("metadata is limited to {MAX_METADATA_BYTES} bytes of canonical JSON"),
        ),
    }
}

/// The `Idempotency-Key` header: 1 to 200 visible ASCII characters.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, Problem> {
    let Some(value) = req.headers().get("idempotency-key") else { return Ok(None) };
    let key =
        value.to_str().ok().filter(|k| !k.is_empty() && k.len() <= 200 && k.bytes().all(|b| b.is_ascii_graphic()));
    key.map(|k| Some(k.to_owned())).ok_or_else(|| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
            "Idempotency-Key takes 1 to 200 visible ASCII characters",
        )
    })
}

/// `?cursor=&limit=` of the paginated lists.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Items per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

impl ListQuery {
    /// The page's upper bound (exclusive) and size.
    pub fn page(&self) -> Result<(Option<u64>, u32), Problem> {
        let limit = self.limit.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(Problem::new(StatusCode::BAD_REQUEST, "invalid_limit", "limit is 1 to 1000"));
        }
        let before = match &self.cursor {
            None => None,
            Some(c) => Some(c.parse::<u64>().map_err(|_| {
                Problem::new(StatusCode::BAD_REQUEST, "invalid_cursor", "the cursor is not one this server gave")
            })?),
        };
        Ok((before, limit))
    }
}

/// The caller's records, newest first, paginated.
#[utoipa::path(
    get,
    path = "/v1/evidence",
    tag = "evidence",
    security(("api_key" = [])),
    params(ListQuery),
    responses((status = 200, description = "One page.", body = EvidencePage,
        example = json!({ "items": [super::openapi::examples::evidence_out()], "next_cursor": null }))),
)]
async fn list(caller: Caller, query: web::Query<ListQuery>, store: web::Data<Store>) -> Result<HttpResponse, Problem> {
    let (before, limit) = query.page()?;
    let (records, next) = evidence::page(&store, &caller, before, limit).await?;
    let items = records.into_iter().map(EvidenceOut::from).collect();
    Ok(HttpResponse::Ok().json(EvidencePage { items, next_cursor: next.map(|seq| seq.to_string()) }))
}

/// The caller's records with this content hash (POST, so hashes stay out of URLs and logs).
#[utoipa::path(
    post,
    path = "/v1/evidence/lookup",
    tag = "evidence",
    security(("api_key" = [])),
    request_body(content = LookupIn, example = json!({ "content_hash": super::openapi::examples::HASH })),
    responses((status = 200, description = "At most 1000 records.", body = EvidenceItems,
        example = json!({ "items": [super::openapi::examples::evidence_out()] }))),
)]
async fn lookup(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    store: web::Data<Store>,
) -> Result<HttpResponse, Problem> {
    require_json(&req)?;
    let body = read_limited(payload, 4096).await?;
    let q: LookupIn = parse_json(&body)?;
    let records = evidence::lookup(&store, &caller, &q.content_hash).await?;
    Ok(HttpResponse::Ok().json(EvidenceItems { items: records.into_iter().map(EvidenceOut::from).collect() }))
}

/// One of the caller's records; another tenant's is `404` like an unknown id.
#[utoipa::path(
    get,
    path = "/v1/evidence/{id}",
    tag = "evidence",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The evidence id (UUIDv7).")),
    responses((status = 200, description = "The record.", body = EvidenceOut,
        example = json!(super::openapi::examples::evidence_out()))),
)]
async fn get(caller: Caller, id: web::Path<String>, store: web::Data<Store>) -> Result<HttpResponse, Problem> {
    let id: EvidenceId = id.parse().map_err(|_| Problem::not_found())?;
    Ok(HttpResponse::Ok().json(EvidenceOut::from(evidence::get(&store, &caller, &id).await?)))
}

/// The caller's record with this id; `404` alike for a malformed id, an unknown one and
/// another tenant's.
pub async fn owned_record(store: &Store, caller: &Caller, id: &str) -> Result<EvidenceRecord, Problem> {
    let id: EvidenceId = id.parse().map_err(|_| Problem::not_found())?;
    Ok(evidence::owned(store, caller, &id).await?)
}
