//! A real witness server on 127.0.0.1 port 0 with a fresh state directory and in-memory dev
//! PKI, plus header chains to feed it.

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use notarium::crypto::devpki::{KeyPair, issue_witness, new_ca};
use notarium::domain::{BlockHeader, Hash, LogName, Role, Timestamp};
use notarium::witness::{CosignError, DEFAULT_MAX_SKEW, WitnessClient, WitnessConfig, WitnessStateView, serve};
use openssl::x509::X509;
use serde_json::Value;
use tempfile::TempDir;

use crate::support::wait_until;
use crate::support::witness::witness_config;

pub const LOG: &str = "notarium.test/dev";
pub const TOKEN: &str = "ntk_test-operator-token";

/// The CA and the witness's own key and certificate.
pub struct Pki {
    pub ca: KeyPair,
    pub witness: KeyPair,
    pub intermediates: Vec<X509>,
    pub role: Role,
}

impl Pki {
    pub fn court() -> Self {
        let ca = new_ca("Witness Test CA", 30).unwrap();
        let witness = issue_witness(&ca, "Witness Test Court", "court", 30, None).unwrap();
        Self { ca, witness, intermediates: vec![], role: Role::Court }
    }
}

/// A running witness.
pub struct TestWitness {
    pub dir: TempDir,
    pub pki: Pki,
    pub base_url: String,
    pub client: WitnessClient,
    pub http: reqwest::Client,
    handle: ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// A raw answer: status, `Content-Type`, `WWW-Authenticate` and the JSON body.
pub struct Raw {
    pub status: u16,
    pub content_type: String,
    pub challenge: Option<String>,
    pub body: Value,
}

impl TestWitness {
    pub async fn start() -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), Pki::court()).await
    }

    /// Starts on `dir/state`. The state directory stays locked for a moment after a stop
    /// (worker threads wind down), so the start is retried until a deadline.
    pub async fn start_in(dir: TempDir, pki: Pki) -> Self {
        // The socket is bound here: connections queue from now on, so no wait is needed.
        let (server, addr) = wait_until(Duration::from_secs(10), async || {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            match serve(config(&pki, &dir.path().join("state")), listener) {
                Ok(server) => Ok((server, addr)),
                Err(e) if e.to_string().contains("in use") => Err(format!("{e:#}")),
                Err(e) => panic!("starting the witness: {e:#}"),
            }
        })
        .await;
        let handle = server.handle();
        let task = tokio::spawn(server);
        let base_url = format!("http://{addr}");
        let client =
            WitnessClient::new("court".parse().unwrap(), pki.role, &base_url, TOKEN, Duration::from_secs(30)).unwrap();
        Self { dir, pki, base_url, client, http: reqwest::Client::new(), handle, task }
    }

    /// Stops the server gracefully; returns what a restart needs.
    pub async fn stop(self) -> (TempDir, Pki) {
        self.handle.stop(true).await;
        self.task.await.unwrap().unwrap();
        (self.dir, self.pki)
    }

    pub fn state_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("state")
    }

    pub async fn state(&self) -> WitnessStateView {
        self.client.state().await.unwrap()
    }

    /// Co-signs through the client and returns the heights signed.
    pub async fn cosign_heights(&self, headers: &[String]) -> Vec<u64> {
        self.client.cosign(headers).await.unwrap().iter().map(|s| s.height).collect()
    }

    /// The refusal of `headers` through the client, as (status, code, last signed height).
    pub async fn refusal(&self, headers: &[String]) -> (u16, String, Option<u64>) {
        match self.client.cosign(headers).await {
            Err(CosignError::Refused { status, code, last_signed_height, .. }) => (status, code, last_signed_height),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    /// `POST /witness/v1/cosign` with `body` as JSON, with `token` if given.
    pub async fn post_raw(&self, body: impl Into<reqwest::Body>, token: Option<&str>) -> Raw {
        let mut request = self
            .http
            .post(format!("{}/witness/v1/cosign", self.base_url))
            .header("content-type", "application/json")
            .body(body);
        if let Some(t) = token {
            request = request.header("authorization", format!("Bearer {t}"));
        }
        raw(request.send().await.unwrap()).await
    }

    /// `GET /witness/v1/state` with a raw `Authorization` value, if given.
    pub async fn get_state_raw(&self, authorization: Option<&str>) -> Raw {
        let mut request = self.http.get(format!("{}/witness/v1/state", self.base_url));
        if let Some(a) = authorization {
            request = request.header("authorization", a);
        }
        raw(request.send().await.unwrap()).await
    }
}

/// The witness "court" of the test log with `pki`'s role, key and chain, and two operator
/// tokens.
pub fn config(pki: &Pki, state_dir: &Path) -> WitnessConfig {
    let (key, cert) = (pki.witness.key.clone(), pki.witness.cert.clone());
    WitnessConfig {
        name: "court".parse().unwrap(),
        log: LOG.parse().unwrap(),
        intermediates: pki.intermediates.clone(),
        max_skew: DEFAULT_MAX_SKEW,
        ..witness_config(pki.role, key, cert, state_dir, &["another-operator-token", TOKEN])
    }
}

async fn raw(response: reqwest::Response) -> Raw {
    let status = response.status().as_u16();
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    let content_type = header("content-type").unwrap_or_default();
    let challenge = header("www-authenticate");
    let body = response.json().await.unwrap_or(Value::Null);
    Raw { status, content_type, challenge, body }
}

/// `ms` milliseconds from now (negative: in the past).
pub fn now_plus(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(Timestamp::now().unix_millis() + ms).unwrap()
}

/// A chain of headers of the test log, each with one leaf.
#[derive(Default, Clone)]
pub struct Chain {
    pub headers: Vec<BlockHeader>,
}

impl Chain {
    /// Heights 0..n, one millisecond apart, the newest sealed now.
    pub fn of(n: u64) -> Self {
        let mut chain = Self::default();
        let start = now_plus(-(n as i64));
        for i in 0..n {
            chain.push_at(Timestamp::from_unix_millis(start.unix_millis() + i as i64).unwrap());
        }
        chain
    }

    /// Appends the next block, sealed at `sealed`.
    pub fn push_at(&mut self, sealed: Timestamp) -> &BlockHeader {
        let height = self.headers.len() as u64;
        let prev = self.headers.last().map_or(Hash::ZERO, BlockHeader::block_hash);
        self.headers.push(BlockHeader {
            log: LOG.parse::<LogName>().unwrap(),
            height,
            prev,
            root: Hash::of(&height.to_be_bytes()),
            leaves: 1,
            sealed,
        });
        self.headers.last().unwrap()
    }

    /// Appends the next block, sealed now.
    pub fn push_now(&mut self) -> &BlockHeader {
        self.push_at(Timestamp::now())
    }

    pub fn text(&self, height: u64) -> String {
        self.headers[height as usize].text()
    }

    pub fn texts(&self, range: std::ops::Range<u64>) -> Vec<String> {
        range.map(|h| self.text(h)).collect()
    }

    pub fn hash(&self, height: u64) -> Hash {
        self.headers[height as usize].block_hash()
    }
}

/// `h` with another root: the same height and prev, a different block.
pub fn forged(h: &BlockHeader) -> BlockHeader {
    BlockHeader { root: Hash::of(b"forged"), ..h.clone() }
}
