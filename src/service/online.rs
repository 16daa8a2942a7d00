//! `notarium verify --online URL`: asks the service that issued a receipt whether it still
//! shows the same history (docs/formats.md §8, checks 10 and 11). The answers are fetched here,
//! each bounded in time and size, and judged by the pure rules of `domain::online` and
//! `domain::verify`: a hostile service (a huge answer, wrong JSON, headers that do not link)
//! gives a failed check, never a panic or unbounded memory.

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;

use crate::domain::online::{Head, MAX_PAGE, OnlineHead, PagedHeader, Walk};
use crate::domain::{Cosignature, Hash, Receipt, Role, WitnessName};
use crate::receipts::chain_of;

/// `--max-headers` by default: how many headers after the receipt's block are walked.
pub const DEFAULT_MAX_HEADERS: u64 = 100_000;
/// An answer larger than this is refused: a page of 1,000 headers with the head's
/// co-signatures is about 600 KB.
pub const MAX_ANSWER_BYTES: usize = 4 << 20;
/// Each request, connecting included, ends after this.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// One page of `GET /v1/blocks?from=&limit=`.
#[derive(Debug, Clone)]
pub struct Page {
    pub headers: Vec<PagedHeader>,
    pub anchored_head: Option<Head>,
}

/// Where the headers come from: the service over HTTP ([`HttpSource`]), or a test's pages.
#[async_trait]
pub trait HeaderSource: Send + Sync {
    /// The header text the service serves at `height`; `None` when it serves no block there.
    async fn header_at(&self, height: u64) -> Result<Option<String>, String>;
    /// Up to `limit` headers from height `from` on, oldest first, and the anchored head.
    async fn page(&self, from: u64, limit: u64) -> Result<Page, String>;
}

/// What the online checks found, for `VerifyInput`.
#[derive(Debug, Clone)]
pub struct OnlineFindings {
    pub header: Result<Option<String>, String>,
    pub head: OnlineHead,
}

/// Asks `source` for the header at the receipt's height, then walks its headers from the
/// receipt's block to its anchored head, at most `max_headers` of them.
pub async fn ask(source: &dyn HeaderSource, receipt: &Receipt, max_headers: u64) -> OnlineFindings {
    let header = source.header_at(receipt.block.height).await;
    OnlineFindings { header, head: walk(source, receipt, max_headers.max(1)).await }
}

async fn walk(source: &dyn HeaderSource, receipt: &Receipt, max_headers: u64) -> OnlineHead {
    let asked = max_headers.min(MAX_PAGE);
    let first = match source.page(receipt.block.height.saturating_add(1), asked).await {
        Ok(page) => page,
        Err(e) => return OnlineHead::Unavailable(e),
    };
    let Some(head) = first.anchored_head else {
        return OnlineHead::Unavailable("the service shows no anchored block at all".into());
    };
    let mut walk = match Walk::new(&receipt.block.header, &head.header, max_headers) {
        Ok(w) => w,
        Err(e) => return OnlineHead::Walked { head, walk: crate::domain::online::WalkOutcome::Broken(e) },
    };
    let mut pending = Some((asked, first.headers));
    while let Some((from, limit)) = walk.want() {
        let (asked, headers) = match pending.take() {
            Some(first) => first,
            None => match source.page(from, limit).await {
                Ok(page) => (limit, page.headers),
                Err(e) => {
                    walk.fail(e);
                    break;
                }
            },
        };
        if headers.len() as u64 > asked {
            walk.fail(format!("asked for {asked} headers from height {from}, the service sent {}", headers.len()));
            break;
        }
        // The first page may reach past the head (blocks not anchored yet): the walk stops there.
        walk.feed(&headers[..headers.len().min(limit as usize)]);
    }
    OnlineHead::Walked { head, walk: walk.outcome() }
}

/// Why the online check could not start at all (the verifier exits 2).
#[derive(Debug, thiserror::Error)]
pub enum OnlineError {
    /// The URL does not parse, or is not `http://` or `https://`.
    #[error("--online: {0}")]
    BadUrl(String),
    /// The HTTP client could not be built (e.g. no TLS backend).
    #[error("--online: building the HTTP client: {0}")]
    Client(String),
}

/// The service at a base URL, e.g. `https://notary.example` (the API's `/v1/...` under it).
pub struct HttpSource {
    http: reqwest::Client,
    base: String,
}

impl HttpSource {
    /// A client that follows no redirect and gives each request [`REQUEST_TIMEOUT`].
    pub fn new(base: &str) -> Result<Self, OnlineError> {
        let url = reqwest::Url::parse(base).map_err(|e| OnlineError::BadUrl(format!("{base:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OnlineError::BadUrl(format!("{base} is not an http(s) URL")));
        }
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| OnlineError::Client(e.to_string()))?;
        Ok(Self { http, base: base.trim_end_matches('/').to_owned() })
    }

    /// `GET path` as JSON of type `T` (`None` for a `404`), the body read to at most
    /// [`MAX_ANSWER_BYTES`].
    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<Option<T>, String> {
        let url = format!("{}{path}", self.base);
        let failed = |e: reqwest::Error| format!("GET {url}: {e}");
        let mut response = self.http.get(&url).send().await.map_err(failed)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if status != reqwest::StatusCode::OK {
            return Err(format!("GET {url}: the service answered {status}"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(format!("GET {url}: the answer is larger than {MAX_ANSWER_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| format!("GET {url}: not the answer of a notarium service: {e}"))
    }
}

#[async_trait]
impl HeaderSource for HttpSource {
    async fn header_at(&self, height: u64) -> Result<Option<String>, String> {
        Ok(self.get::<BlockIn>(&format!("/v1/blocks/{height}")).await?.map(|b| b.header))
    }

    async fn page(&self, from: u64, limit: u64) -> Result<Page, String> {
        let path = format!("/v1/blocks?from={from}&limit={limit}");
        let page: PageIn =
            self.get(&path).await?.ok_or_else(|| format!("GET {}{path}: the service answered 404", self.base))?;
        let headers = page
            .headers
            .into_iter()
            .map(|h| PagedHeader { height: h.height, header: h.header, block_hash: h.block_hash })
            .collect();
        Ok(Page { headers, anchored_head: page.anchored_head.map(BlockIn::into_head) })
    }
}

/// `GET /v1/blocks?from=&limit=` as read (unknown members are ignored).
#[derive(Deserialize)]
struct PageIn {
    headers: Vec<HeaderIn>,
    anchored_head: Option<BlockIn>,
}

#[derive(Deserialize)]
struct HeaderIn {
    height: u64,
    header: String,
    block_hash: Hash,
}

/// `GET /v1/blocks/{height}` and a page's `anchored_head`.
#[derive(Deserialize)]
struct BlockIn {
    header: String,
    #[serde(default)]
    cosignatures: Vec<CosignatureIn>,
}

#[derive(Deserialize)]
struct CosignatureIn {
    witness: WitnessName,
    role: Role,
    cms: String,
}

impl BlockIn {
    /// The head as a receipt would carry it: the chain is read from each CMS (an unreadable
    /// one gets none, and fails its checks by name).
    fn into_head(self) -> Head {
        let cosignatures = self
            .cosignatures
            .into_iter()
            .map(|c| {
                let cms = BASE64.decode(c.cms.as_bytes()).unwrap_or_default();
                Cosignature { chain: chain_of(&cms).unwrap_or_default(), witness: c.witness, role: c.role, cms }
            })
            .collect();
        Head { header: self.header, cosignatures }
    }
}

#[cfg(test)]
mod tests;
