//! The client the operator's sealer uses to reach one witness. It trusts nothing it gets
//! back: every co-signature must verify over the header it names, with a signer certificate
//! of the witness's role, and the answer must cover a suffix of the headers sent, in order
//! (a witness signs again, identically, headers it signed before).

use std::time::Duration;

use anyhow::Context;
use openssl::x509::X509;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::de::DeserializeOwned;

use super::protocol::{CosignRequest, CosignResponse, SignedHeader, WitnessHead, WitnessStateView};
use crate::crypto::{certs, cms};
use crate::domain::{BlockHeader, Hash, Role, WitnessName};

/// Answers larger than this are refused (1,000 co-signatures take about 2 MiB).
const MAX_RESPONSE_BYTES: usize = 16 << 20;

/// One witness as the sealer sees it.
#[derive(Clone)]
pub struct WitnessClient {
    name: WitnessName,
    role: Role,
    base_url: String,
    /// `Bearer <token>`, marked sensitive; `None` when the client certificate is the credential.
    authorization: Option<HeaderValue>,
    http: reqwest::Client,
}

/// Why a witness call did not give co-signatures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CosignError {
    /// No answer: connection refused, timeout, broken connection.
    #[error("witness unreachable: {0}")]
    Unreachable(String),
    /// The witness answered with an error status. For `409` (`gap`, `fork`, …)
    /// `last_signed_height` and `last_signed_hash` tell where it stands. `code` is empty when
    /// the body was not a problem document (e.g. from a proxy).
    #[error("witness refused ({status} {code}): {detail}")]
    Refused {
        status: u16,
        code: String,
        detail: String,
        last_signed_height: Option<u64>,
        last_signed_hash: Option<Hash>,
    },
    /// The witness answered `200` with something that is not a valid answer: bad JSON, a
    /// co-signature that does not verify, heights or hashes that do not match the request.
    #[error("witness broke the protocol: {0}")]
    Protocol(String),
}

/// How the operator proves itself to a witness.
pub enum Credential {
    /// `Authorization: Bearer <token>`.
    Token(String),
    /// A client certificate (PEM, then intermediates) and its PKCS#8 PEM key, for HTTPS
    /// witnesses that pin it (mTLS).
    Certificate { cert_pem: Vec<u8>, key_pem: Vec<u8> },
}

/// `GET {base_url}/witness/v1/head` (no credential): what the witness last co-signed.
/// `timeout` bounds the whole call; the answer is read up to the usual size limit.
pub async fn fetch_head(base_url: &str, timeout: Duration) -> anyhow::Result<WitnessHead> {
    let url = reqwest::Url::parse(base_url).with_context(|| format!("bad witness URL {base_url:?}"))?;
    anyhow::ensure!(matches!(url.scheme(), "http" | "https"), "{base_url} is not an http(s) URL");
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("building the HTTP client")?;
    let url = format!("{}/witness/v1/head", base_url.trim_end_matches('/'));
    let mut response = http.get(&url).send().await.map_err(|e| anyhow::anyhow!("{url}: {}", error_chain(&e)))?;
    let status = response.status();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| anyhow::anyhow!("{url}: {}", error_chain(&e)))? {
        anyhow::ensure!(body.len() + chunk.len() <= MAX_RESPONSE_BYTES, "{url}: the answer is too large");
        body.extend_from_slice(&chunk);
    }
    anyhow::ensure!(status.as_u16() == 200, "{url} answered {status}");
    serde_json::from_slice(&body).with_context(|| format!("{url}: not a witness head"))
}

impl WitnessClient {
    /// A client that sends `token`. `base_url` is the witness's origin, e.g.
    /// `http://127.0.0.1:8091`; `timeout` bounds each whole call (connecting too).
    pub fn new(name: WitnessName, role: Role, base_url: &str, token: &str, timeout: Duration) -> anyhow::Result<Self> {
        Self::connect(name, role, base_url, Credential::Token(token.to_owned()), None, timeout)
    }

    /// A client with any credential. `ca_pem`: the only roots trusted for an `https://`
    /// witness's certificate (else the system's). Redirects are not followed.
    pub fn connect(
        name: WitnessName,
        role: Role,
        base_url: &str,
        credential: Credential,
        ca_pem: Option<&[u8]>,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let url = reqwest::Url::parse(base_url).with_context(|| format!("witness {name}: bad URL {base_url:?}"))?;
        anyhow::ensure!(matches!(url.scheme(), "http" | "https"), "witness {name}: {base_url} is not an http(s) URL");
        let mut http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = ca_pem {
            let roots = reqwest::Certificate::from_pem_bundle(pem).context("reading the witness CA")?;
            anyhow::ensure!(!roots.is_empty(), "witness {name}: the CA file holds no certificate");
            http = http.tls_certs_only(roots);
        }
        let authorization = match credential {
            Credential::Token(token) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                    .map_err(|_| anyhow::anyhow!("witness {name}: the token is not a valid header value"))?;
                value.set_sensitive(true);
                Some(value)
            }
            Credential::Certificate { cert_pem, key_pem } => {
                anyhow::ensure!(url.scheme() == "https", "witness {name}: a client certificate needs an https URL");
                let identity = reqwest::Identity::from_pkcs8_pem(&cert_pem, &key_pem)
                    .with_context(|| format!("witness {name}: the client certificate or its PKCS#8 key"))?;
                http = http.identity(identity);
                None
            }
        };
        let http = http.build().context("building the HTTP client")?;
        Ok(Self { name, role, base_url: base_url.trim_end_matches('/').to_owned(), authorization, http })
    }

    pub fn name(&self) -> &WitnessName {
        &self.name
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// Asks the witness to co-sign `headers` (oldest first, at most
    /// [`MAX_HEADERS_PER_REQUEST`](super::protocol::MAX_HEADERS_PER_REQUEST)) and checks the
    /// answer. Returns the co-signatures of the headers it had not signed before.
    pub async fn cosign(&self, headers: &[String]) -> Result<Vec<SignedHeader>, CosignError> {
        let body = CosignRequest { headers: headers.to_vec() };
        let request = self.http.post(format!("{}/witness/v1/cosign", self.base_url)).json(&body);
        let response: CosignResponse = self.call(request).await?;
        self.check_cosignatures(headers, &response.cosignatures)?;
        Ok(response.cosignatures)
    }

    /// The witness's last signed height, hash and co-signature, and its certificate chain.
    pub async fn state(&self) -> Result<WitnessStateView, CosignError> {
        let view: WitnessStateView = self.call(self.http.get(format!("{}/witness/v1/state", self.base_url))).await?;
        if view.witness != self.name || view.role != self.role {
            return Err(CosignError::Protocol(format!(
                "expected witness {} ({}), it says it is {} ({})",
                self.name, self.role, view.witness, view.role
            )));
        }
        Ok(view)
    }

    /// Sends `request` with the credential; decodes a `200` body as `T`, anything else as a
    /// refusal.
    async fn call<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T, CosignError> {
        let unreachable = |e: reqwest::Error| CosignError::Unreachable(error_chain(&e));
        let request = match &self.authorization {
            Some(value) => request.header(AUTHORIZATION, value.clone()),
            None => request,
        };
        let mut response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(CosignError::Protocol(format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        if status == reqwest::StatusCode::OK {
            serde_json::from_slice(&body).map_err(|e| CosignError::Protocol(format!("unreadable answer: {e}")))
        } else {
            Err(refusal(status.as_u16(), &body))
        }
    }

    /// The answer must be the co-signatures of a suffix of `headers` (those before it were
    /// signed earlier), in order, each verifying over its header with a certificate of this
    /// witness's role.
    fn check_cosignatures(&self, headers: &[String], signed: &[SignedHeader]) -> Result<(), CosignError> {
        let protocol = |m: String| CosignError::Protocol(m);
        let Some(first) = headers.len().checked_sub(signed.len()) else {
            return Err(protocol(format!("{} co-signatures for {} headers", signed.len(), headers.len())));
        };
        for (s, header) in signed.iter().zip(&headers[first..]) {
            let parsed = BlockHeader::parse(header)
                .map_err(|e| protocol(format!("a header sent at height {} does not parse: {e}", s.height)))?;
            if s.height != parsed.height || s.block_hash != Hash::of(header.as_bytes()) {
                return Err(protocol(format!(
                    "co-signature for height {} ({}) does not match the header sent at height {}",
                    s.height, s.block_hash, parsed.height
                )));
            }
            let facts = cms::inspect(&s.cms).map_err(|e| protocol(format!("height {}: {e}", s.height)))?;
            let signer = X509::from_der(&facts.signer_cert)
                .map_err(|e| protocol(format!("height {}: unreadable signer certificate: {e}", s.height)))?;
            cms::verify_signature(&s.cms, header.as_bytes(), &signer)
                .map_err(|e| protocol(format!("height {}: {e}", s.height)))?;
            let role = certs::role_of(&signer).map_err(|e| protocol(format!("height {}: {e}", s.height)))?;
            if role != self.role {
                return Err(protocol(format!(
                    "height {}: signed by a {role} certificate, not {}",
                    s.height, self.role
                )));
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for WitnessClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WitnessClient")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// A non-200 answer as [`CosignError::Refused`], reading the problem document when there is one.
fn refusal(status: u16, body: &[u8]) -> CosignError {
    #[derive(serde::Deserialize)]
    struct ProblemBody {
        code: Option<String>,
        detail: Option<String>,
        last_signed_height: Option<u64>,
        last_signed_hash: Option<Hash>,
    }
    match serde_json::from_slice::<ProblemBody>(body) {
        Ok(p) => CosignError::Refused {
            status,
            code: p.code.unwrap_or_default(),
            detail: p.detail.unwrap_or_default(),
            last_signed_height: p.last_signed_height,
            last_signed_hash: p.last_signed_hash,
        },
        Err(_) => CosignError::Refused {
            status,
            code: String::new(),
            detail: format!("HTTP {status} without a problem document"),
            last_signed_height: None,
            last_signed_hash: None,
        },
    }
}

/// `e` with its sources, one line.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
