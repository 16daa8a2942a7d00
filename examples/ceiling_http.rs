//! HTTP ceiling for the ingest benchmark: `cargo run --release --example ceiling_http --
//! [--listen 127.0.0.1:0]`, then `examples/loadgen.rs --no-follow` against the address it prints.
//!
//! `POST /v1/evidence` and `POST /v1/evidence/batch` do what the service's handlers do before
//! the writer: read the body under the same limit, parse it with the service's own types
//! (`deny_unknown_fields`, 64-hex hashes, unique metadata keys) and checks, and answer `201`
//! with records shaped as the service's (`id`, `status: "pending"`, …). Nothing is stored,
//! signed or anchored, and the `Authorization` header is ignored. Workers: actix's default (one
//! per core), as `notarium serve`.

use actix_web::{App, HttpResponse, HttpServer, web};
use clap::Parser;
use notarium::domain::{EvidenceId, TenantId, Timestamp};
use notarium::http::body::{MAX_JSON_BYTES, parse_json, read_limited};
use notarium::http::evidence::{EvidenceIn, EvidenceItems, EvidenceOut, checked};
use notarium::problem::Problem;
use notarium::service::evidence::{MAX_BATCH_ITEMS, check_item};
use notarium::store::{EvidenceRecord, NewEvidence};
use serde::Deserialize;

#[derive(Parser, Debug)]
struct Args {
    /// Where to listen; port 0 picks a free one. The bound address is printed on stdout.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
}

/// `notarium::http::evidence::BatchIn`, whose field is private.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchIn {
    items: Vec<EvidenceIn>,
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let owner = web::Data::new(TenantId::generate());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(owner.clone())
            .route("/v1/evidence", web::post().to(single))
            .route("/v1/evidence/batch", web::post().to(batch))
    })
    .bind(&args.listen)?;
    println!("listening on http://{}", server.addrs()[0]);
    server.run().await?;
    Ok(())
}

async fn single(payload: web::Payload, owner: web::Data<TenantId>) -> Result<HttpResponse, Problem> {
    let body = read_limited(payload, MAX_JSON_BYTES).await?;
    let item = checked(parse_json(&body)?)?;
    Ok(HttpResponse::Created().json(pending(item, **owner)))
}

async fn batch(payload: web::Payload, owner: web::Data<TenantId>) -> Result<HttpResponse, Problem> {
    let body = read_limited(payload, MAX_JSON_BYTES).await?;
    let batch: BatchIn = parse_json(&body)?;
    if batch.items.is_empty() || batch.items.len() > MAX_BATCH_ITEMS {
        return Err(Problem::invalid_field("/items", "batch_size", "a batch holds 1 to 10,000 items"));
    }
    let items: Vec<NewEvidence> = batch.items.into_iter().map(NewEvidence::from).collect();
    let errors: Vec<_> = items.iter().enumerate().flat_map(|(i, item)| check_item(Some(i), item)).collect();
    if !errors.is_empty() {
        return Err(notarium::service::evidence::RegisterError::Invalid(errors).into());
    }
    let items = items.into_iter().map(|item| pending(item, **owner)).collect();
    Ok(HttpResponse::Created().json(EvidenceItems { items }))
}

/// The answer for one item, as the service gives it (the hashes it would compute stand in for
/// by the content hash: same size, no work).
fn pending(item: NewEvidence, owner: TenantId) -> EvidenceOut {
    let record = EvidenceRecord {
        seq: 0,
        id: EvidenceId::generate(),
        owner,
        kind: item.kind,
        content_hash: item.content_hash,
        salt: None,
        meta_hash: item.content_hash,
        meta_salt: None,
        metadata: item.metadata,
        received: Timestamp::now(),
        leaf_hash: item.content_hash,
    };
    EvidenceOut::with_status(record, notarium::domain::EvidenceStatus::Pending, None)
}
