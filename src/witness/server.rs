//! The witness HTTP server: `POST /witness/v1/cosign` and `GET /witness/v1/state`, both for
//! the operator only (DESIGN §5), and `GET /witness/v1/head` for anyone (the last signed height
//! and hash, for `notarium audit --witness`). Requests are checked ([`check_request`]), signed and
//! persisted under one lock, so two requests never interleave and every co-signature is on
//! disk (fsync) before it is sent.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::{Context, anyhow, ensure};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use super::auth::OperatorCredentials;
use super::checks::{Refusal, check_request};
use super::protocol::{
    CosignRequest, CosignResponse, MAX_HEADERS_PER_REQUEST, MAX_REQUEST_BYTES, SignedHeader, WitnessHead,
    WitnessStateView,
};
use super::state::{NewSignature, Tip, WitnessState};
use super::tls::acceptor;
use crate::crypto::{certs, cms};
use crate::domain::{LogName, Role, Timestamp, WitnessName};
use crate::problem::Problem;
use crate::tls::{ClientCertFingerprint, TlsIdentity, record_client_cert};

/// The default `max_skew`: how far the newest header's `sealed` may be from the witness clock.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(5);

/// Everything one witness process needs.
pub struct WitnessConfig {
    pub name: WitnessName,
    pub role: Role,
    pub log: LogName,
    pub key: PKey<Private>,
    pub cert: X509,
    /// Certificates between `cert` and the root, included in each co-signature; no root.
    pub intermediates: Vec<X509>,
    pub state_dir: PathBuf,
    /// Default [`DEFAULT_MAX_SKEW`].
    pub max_skew: Duration,
    /// The operators' bearer tokens. Never logged.
    pub operator_tokens: Vec<String>,
    /// The operators' client certificates (mTLS, pinned); only with `tls`.
    pub operator_certs: Vec<X509>,
    /// Serve HTTPS with this certificate and key instead of plain HTTP.
    pub tls: Option<TlsIdentity>,
}

/// Serves the witness on `listener` (binds nothing itself). Opens and locks the state
/// directory first, and checks that the key matches the certificate and the certificate names
/// the configured role. The returned server must be awaited or spawned; it does not react to
/// signals: stop it through its handle (`server.handle().stop(true)`).
pub fn serve(mut config: WitnessConfig, listener: TcpListener) -> anyhow::Result<Server> {
    ensure!(
        config.operator_tokens.len() + config.operator_certs.len() > 0,
        "witness {}: at least one operator credential (token or client certificate) is required",
        config.name
    );
    ensure!(config.operator_tokens.iter().all(|t| !t.is_empty()), "witness {}: an empty operator token", config.name);
    ensure!(
        config.operator_certs.is_empty() || config.tls.is_some(),
        "witness {}: operators with client certificates need HTTPS (tls)",
        config.name
    );
    let cert_key = config.cert.public_key().context("reading the witness certificate's key")?;
    ensure!(cert_key.public_eq(&config.key), "witness {}: the key does not match the certificate", config.name);
    let cert_role = certs::role_of(&config.cert).map_err(|e| anyhow!("witness {}: {e}", config.name))?;
    ensure!(
        cert_role == config.role,
        "witness {}: configured as {} but certified as {cert_role}",
        config.name,
        config.role
    );
    let state = WitnessState::open(&config.state_dir)?;
    if let Some(log) = state.log() {
        ensure!(*log == config.log, "{} holds the state of log {log}, not {}", config.state_dir.display(), config.log);
    }
    let chain = std::iter::once(&config.cert)
        .chain(&config.intermediates)
        .map(|c| Ok(String::from_utf8(c.to_pem()?)?))
        .collect::<anyhow::Result<Vec<String>>>()
        .context("encoding the certificate chain")?;
    let pinned = config.operator_certs.iter().map(ClientCertFingerprint::of).collect::<anyhow::Result<Vec<_>>>()?;
    // Only the tokens' digests outlive start-up.
    let tokens = std::mem::take(&mut config.operator_tokens);
    let tokens = web::Data::new(OperatorCredentials::new(&tokens, pinned));
    let tls = match &config.tls {
        Some(identity) => Some(acceptor(identity, !config.operator_certs.is_empty())?),
        None => None,
    };
    let witness = web::Data::new(Witness { state: Mutex::new(state), chain, config });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(witness.clone())
            .app_data(tokens.clone())
            .route("/witness/v1/cosign", web::post().to(cosign))
            .route("/witness/v1/state", web::get().to(state_view))
            .route("/witness/v1/head", web::get().to(head_view))
    })
    .workers(2)
    .disable_signals()
    .shutdown_timeout(5)
    .on_connect(record_client_cert);
    let server = match tls {
        Some(tls) => server.listen_openssl(listener, tls),
        None => server.listen(listener),
    };
    Ok(server.context("serving the witness")?.run())
}

impl std::fmt::Debug for WitnessConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WitnessConfig")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("log", &self.log)
            .field("state_dir", &self.state_dir)
            .field("max_skew", &self.max_skew)
            .field("operator_tokens", &format_args!("[{} redacted]", self.operator_tokens.len()))
            .field("operator_certs", &self.operator_certs.len())
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

/// The handlers' view of the witness: its configuration, chain and state.
struct Witness {
    config: WitnessConfig,
    chain: Vec<String>,
    state: Mutex<WitnessState>,
}

async fn cosign(
    req: HttpRequest,
    payload: web::Payload,
    tokens: web::Data<OperatorCredentials>,
    witness: web::Data<Witness>,
) -> actix_web::Result<HttpResponse> {
    let name = &witness.config.name;
    tokens.authorize(&req).inspect_err(|e| tracing::warn!(witness = %name, "cosign refused: {}", e.0))?;
    let request =
        read_request(&req, payload).await.inspect_err(|p| tracing::warn!(witness = %name, "cosign refused: {p}"))?;
    let signer = witness.clone().into_inner();
    let outcome = web::block(move || signer.cosign(&request.headers))
        .await
        .map_err(|e| Problem::internal(&anyhow!("the signing task failed: {e}")))?;
    match outcome {
        Ok(cosignatures) => Ok(HttpResponse::Ok().json(CosignResponse { cosignatures })),
        Err(problem) => {
            if problem.status != StatusCode::INTERNAL_SERVER_ERROR {
                tracing::warn!(witness = %name, "cosign refused: {problem}");
            }
            Err(problem.into())
        }
    }
}

async fn state_view(
    req: HttpRequest,
    tokens: web::Data<OperatorCredentials>,
    witness: web::Data<Witness>,
) -> actix_web::Result<HttpResponse> {
    let c = &witness.config;
    tokens.authorize(&req).inspect_err(|e| tracing::warn!(witness = %c.name, "state refused: {}", e.0))?;
    let tip = witness.tip()?;
    Ok(HttpResponse::Ok().json(WitnessStateView {
        witness: c.name.clone(),
        role: c.role,
        log: c.log.clone(),
        last_signed_height: tip.as_ref().map(|t| t.height),
        last_signed_hash: tip.as_ref().map(|t| t.block_hash),
        last_cosignature: tip.and_then(|t| t.cms),
        chain: witness.chain.clone(),
    }))
}

/// `GET /witness/v1/head`: no credential, only the last signed height and hash.
async fn head_view(witness: web::Data<Witness>) -> actix_web::Result<HttpResponse> {
    let c = &witness.config;
    let tip = witness.tip()?;
    Ok(HttpResponse::Ok().json(WitnessHead {
        witness: c.name.clone(),
        role: c.role,
        log: c.log.clone(),
        last_signed_height: tip.as_ref().map(|t| t.height),
        last_signed_hash: tip.as_ref().map(|t| t.block_hash),
    }))
}

impl Witness {
    /// What it last signed (or was enrolled at).
    fn tip(&self) -> Result<Option<Tip>, Problem> {
        let state = self.state.lock().map_err(|_| Problem::internal(&anyhow!("the witness state lock is poisoned")))?;
        Ok(state.tip().cloned())
    }

    /// Checks, signs and persists under the state lock; refuses with the state untouched.
    fn cosign(&self, headers: &[String]) -> Result<Vec<SignedHeader>, Problem> {
        let c = &self.config;
        let mut state = self.state.lock().map_err(|_| anyhow!("the witness state lock is poisoned"))?;
        let accepted = match check_request(&state, &c.log, headers, Timestamp::now(), c.max_skew)? {
            Ok(accepted) => accepted,
            Err(refusal) => return Err(refusal_problem(&refusal, state.tip())),
        };
        let mut signed = Vec::with_capacity(accepted.len());
        let mut new = Vec::with_capacity(accepted.len());
        for a in accepted {
            let header = headers[a.index].clone();
            let cms = cms::sign(header.as_bytes(), &c.key, &c.cert, &c.intermediates)
                .with_context(|| format!("signing the header at height {}", a.height))?;
            signed.push(SignedHeader { height: a.height, block_hash: a.block_hash, cms: cms.clone() });
            if a.new {
                new.push(NewSignature { height: a.height, block_hash: a.block_hash, header, cms });
            }
        }
        state.record(&c.log, &new).context("persisting the witness state")?;
        Ok(signed)
    }
}

/// Reads the body (at most [`MAX_REQUEST_BYTES`]) and parses it. A syntax error is
/// `400 malformed_body`. Well-formed JSON of the wrong shape (an unknown field, a header that
/// is not a string) is `422 invalid_field`, as everywhere in the v1 API (DESIGN §6): the body
/// was read fine, a field of it is what is wrong.
async fn read_request(req: &HttpRequest, payload: web::Payload) -> Result<CosignRequest, Problem> {
    let too_large = || Problem::too_large(format!("a cosign request is at most {MAX_REQUEST_BYTES} bytes"));
    let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_REQUEST_BYTES as u64) {
        return Err(too_large());
    }
    let body = match payload.to_bytes_limited(MAX_REQUEST_BYTES).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => return Err(Problem::malformed(format!("the body could not be read: {e}"))),
        Err(_) => return Err(too_large()),
    };
    let request: CosignRequest = serde_json::from_slice(&body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => Problem::invalid_field("", "invalid", e.to_string()),
        _ => Problem::malformed(format!("the body is not JSON: {e}")),
    })?;
    if request.headers.len() > MAX_HEADERS_PER_REQUEST {
        return Err(Problem::too_large(format!(
            "{} headers in one request; at most {MAX_HEADERS_PER_REQUEST}",
            request.headers.len()
        )));
    }
    Ok(request)
}

/// The problem for a refusal; it names the last signed height and hash (null when fresh).
fn refusal_problem(refusal: &Refusal, tip: Option<&Tip>) -> Problem {
    let (status, code) = match refusal {
        Refusal::TooMany(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        Refusal::MalformedHeader { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "malformed_header"),
        Refusal::WrongLog { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "wrong_log"),
        Refusal::ClockSkew { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "clock_skew"),
        Refusal::Fork { .. } => (StatusCode::CONFLICT, "fork"),
        Refusal::Gap { .. } => (StatusCode::CONFLICT, "gap"),
        Refusal::BeforeEnrolment { .. } => (StatusCode::CONFLICT, "before_enrolment"),
        Refusal::SealedBackwards { .. } => (StatusCode::CONFLICT, "sealed_backwards"),
    };
    let index = match refusal {
        Refusal::MalformedHeader { index, .. }
        | Refusal::WrongLog { index, .. }
        | Refusal::Fork { index, .. }
        | Refusal::Gap { index, .. }
        | Refusal::BeforeEnrolment { index, .. }
        | Refusal::SealedBackwards { index, .. } => Some(*index),
        Refusal::TooMany(_) | Refusal::ClockSkew { .. } => None,
    };
    let problem = Problem::new(status, code, refusal.to_string())
        .with("last_signed_height", tip.map(|t| t.height))
        .with("last_signed_hash", tip.map(|t| t.block_hash.to_string()));
    match index {
        Some(i) => problem.with("index", i),
        None => problem,
    }
}
