//! `POST /v1/images`: a merchant registers a picture. The file is hashed while it arrives,
//! decoded once (within the pixel limit and the shared decode budget) for its fingerprints,
//! thumbnail and capture time, kept for its owner, and registered as an `image` record whose
//! metadata commits to the fingerprints. Once committed, the picture is searchable.

use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use super::decode_problem;
use super::form::{ImageForm, read_form};
use crate::domain::canonical::canonical_json;
use crate::domain::{EvidenceKind, Hash, TenantId, TenantRole};
use crate::http::auth::{Caller, require_role};
use crate::http::evidence::{EvidenceIn, EvidenceOut, checked, idempotency_key};
use crate::http::upload::{Limits, keep};
use crate::images::Images;
use crate::images::analyse::Purpose;
use crate::images::metadata::{Described, FileFacts, image_metadata};
use crate::ingest::Ingest;
use crate::problem::Problem;
use crate::store::writer::{Outcome, Submission};
use crate::store::{NewImage, Store};

/// Registers one picture (multipart `file`, `title`, `author`, `public`).
#[utoipa::path(
    post,
    path = "/v1/images",
    tag = "images",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200,
        description = "A repeat with the same key and form returns the first result.")),
    request_body(content = crate::http::openapi::ImageUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "The `image` record, `pending`; its metadata holds the fingerprints.",
        body = EvidenceOut, example = json!(crate::http::openapi::examples::image_out()))),
)]
pub async fn create(
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
    store: web::Data<Store>,
    ingest: web::Data<Ingest>,
    images: web::Data<Images>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, Problem> {
    require_role(&caller, TenantRole::Merchant)?;
    let idem = idempotency_key(&req)?;
    let started = Instant::now();
    let form = read_form(&req, payload, &limits).await?;
    images.observe("receive", started.elapsed());
    let record = register_image(&store, &ingest, &images, &limits, &caller.0.id, form, idem).await?;
    Ok(HttpResponse::Created().json(record))
}

/// Registers the picture of `form` for `owner` (the API's and the `/register` page's path).
pub async fn register_image(
    store: &Store,
    ingest: &Ingest,
    images: &Images,
    limits: &Limits,
    owner: &TenantId,
    form: ImageForm,
    idempotency_key: Option<String>,
) -> Result<EvidenceOut, Problem> {
    let ImageForm { file, title, author, public } = form;
    let started = Instant::now();
    let bytes = tokio::fs::read(file.temp.path()).await.map_err(|e| Problem::internal(&e.into()))?;
    images.observe("read", started.elapsed());
    let analysis = images.analyser.analyse(bytes, Purpose::Registration).await.map_err(decode_problem)?;
    for (step, took) in &analysis.steps {
        images.observe(step, *took);
    }
    let title = title.or_else(|| file.name.as_deref().map(stem)).unwrap_or_else(|| "Untitled".to_owned());
    let facts = FileFacts { name: file.name.clone(), size: file.size, sha256: file.sha256.clone() };
    let metadata = image_metadata(&Described { title, author }, &facts, &analysis);
    let item = checked(EvidenceIn { kind: EvidenceKind::Image, content_hash: file.blake3, metadata: Some(metadata) })?;
    let idempotency = idempotency_key.map(|key| {
        let mut request = format!("image\n{}\n{public}\n", item.content_hash).into_bytes();
        request.extend(canonical_json(&Value::Object(item.metadata.clone().unwrap_or_default())));
        (key, Hash::of(&request))
    });
    let started = Instant::now();
    keep(file.temp, &limits.blobs, owner, &file.blake3).await?;
    images.observe("store_file", started.elapsed());
    let fingerprints = if analysis.fingerprints.is_reliable() { analysis.fingerprints.hashes } else { Vec::new() };
    let thumbnail = analysis.thumbnail.unwrap_or_default();
    let row = NewImage { public, fingerprints: fingerprints.clone(), thumbnail };
    let submission = Submission::image(*owner, item, row, idempotency);
    // Committing and indexing run as their own task: a client that goes away (which drops this
    // handler) cannot leave a committed picture out of the index until the next start.
    let (ingest, images) = (ingest.clone(), images.clone());
    let outcome = tokio::spawn(async move {
        let started = Instant::now();
        let outcome = ingest.submit(submission).await?;
        images.observe("commit", started.elapsed());
        if let Outcome::Created(records) = &outcome {
            for r in records {
                images.add(r.seq, fingerprints.clone()).await;
            }
        }
        anyhow::Ok(outcome)
    })
    .await
    .map_err(|e| Problem::internal(&anyhow::anyhow!("the registration task failed: {e}")))??;
    let mut records = crate::service::evidence::answer(store, outcome).await?;
    Ok(records.pop().expect("one picture in, one record out").into())
}

/// A file name without its directory and extension: the default title.
fn stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem: String = base.rsplit_once('.').map_or(base, |(s, _)| s).chars().filter(|c| !c.is_control()).collect();
    let stem = stem.trim();
    if stem.is_empty() { "Untitled".to_owned() } else { stem.chars().take(super::form::MAX_TEXT_CHARS).collect() }
}

#[cfg(test)]
mod tests {
    use super::stem;

    #[test]
    fn the_default_title_is_the_file_name_stem() {
        assert_eq!(stem("dress-front.jpg"), "dress-front");
        assert_eq!(stem("C:\\photos\\shoe.v2.png"), "shoe.v2");
        assert_eq!(stem(".jpg"), "Untitled");
        assert_eq!(stem("noext"), "noext");
        assert_eq!(stem("bell\u{7}\u{1b}[2J.jpg"), "bell[2J");
    }
}
