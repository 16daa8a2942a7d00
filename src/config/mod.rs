//! Settings: one typed struct, layered defaults → `notarium.toml` → `NOTARIUM_<NAME>` → flags.
//! An unknown key or a bad value stops start-up naming the key.

mod database;
mod limits;
mod operator;
mod public_url;

pub use database::database;
pub use limits::{FailedAuthLimit, Quota, RateLimitSettings};
pub use operator::{CertificateSetup, DEFAULT_FONT, DEFAULT_TIME_ZONE, OperatorIdentity, signing_paths, time_zone};
pub use public_url::PublicUrl;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use toml::Table;

use crate::audit::schedule::{DEFAULT_AUDIT_CRON, validate_cron};
use crate::domain::quorum::QuorumPolicy;
use crate::domain::{LogName, Role, WitnessName};
use crate::layered::{UnknownEnv, load_layered};
use crate::witness::client::Credential;

/// Everything `notarium serve` is configured with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address of the HTTP API.
    pub listen: SocketAddr,
    /// Data directory: database, PKI, witness state, uploaded originals.
    pub data: PathBuf,
    /// The service's address as its users reach it (`https://notary.example.org`, or with a
    /// path prefix), used for every absolute URL the service prints (the certificate page's
    /// URL and QR code). Unset: `http://` (or `https://` with `tls`) and the bound `listen`
    /// address. Request headers (`Host`, `X-Forwarded-Host`) are never used for it.
    pub public_url: Option<String>,
    /// The database: unset means `<data>/notarium.db`; or
    /// `sqlite:///absolute/path.db`, or `postgres://user@host/db?sslmode=...` (no password).
    pub database_url: Option<String>,
    /// A file holding the PostgreSQL password (else `PGPASSWORD` or `~/.pgpass`).
    pub database_password_file: Option<PathBuf>,
    /// The name of this log, signed into every header.
    pub log_name: LogName,
    /// How often pending records are sealed, in milliseconds.
    pub seal_interval_ms: u64,
    /// Seal as soon as this many records are pending.
    pub max_batch: u64,
    /// Witnesses refuse a newest header further than this from their clock (ms).
    pub max_skew_ms: u64,
    /// Largest upload to `POST /v1/evidence`, in bytes.
    pub max_upload_bytes: u64,
    /// Largest picture file to `POST /v1/images` and `POST /v1/images/search`, in bytes.
    pub max_image_bytes: u64,
    /// Largest picture to decode, in pixels (read from the header before any pixel is decoded).
    pub max_image_pixels: u64,
    /// Anonymous search queries with more pixels are scaled down to this many while decoding
    /// (not refused), and take that much less of the decode memory budget.
    pub max_search_pixels: u64,
    /// A client must send a request's headers within this time (ms), else `408`.
    pub request_header_timeout_ms: u64,
    /// A request body must have arrived by this time (ms) after the request began, plus one
    /// second per `min_request_bytes_per_second` bytes read, else `408`; with no minimum
    /// rate, the longest wait for the next bytes of a body.
    pub request_body_timeout_ms: u64,
    /// The slowest a long body may arrive, in bytes per second; `0`: no minimum.
    pub min_request_bytes_per_second: u64,
    /// Timeout of one request to a witness (ms).
    pub witness_timeout_ms: u64,
    /// Longest wait between retries of a witness that is down or refuses (ms); retries start
    /// after `seal_interval_ms` and double.
    pub witness_retry_max_ms: u64,
    /// Which co-signatures anchor a block, e.g. `{ court = 1, notary = 1, distinct_keys = 2 }`;
    /// k-of-n over both roles is `{ court = 0, notary = 0, distinct_keys = k }`.
    pub quorum: QuorumPolicy,
    /// Create one demo tenant per role on first start.
    pub demo: bool,
    /// External witnesses; when empty, a court and a notary witness run in-process.
    pub witnesses: Vec<WitnessSettings>,
    /// When the server audits the newly anchored blocks: a cron expression in UTC with six
    /// fields, seconds first (`sec min hour day-of-month month day-of-week`); default
    /// `"0 0 3 * * *"`, 03:00 every day.
    pub audit_cron: String,
    /// A directory whose `*.pem` files hold the CAs that hospitals' invoice-signing
    /// certificates must chain to (separate from the witnesses' anchors in `pki/trust/`);
    /// unset: `<data>/pki/hospital-trust/`, where the dev PKI puts its hospital signing CA.
    pub hospital_trust: Option<PathBuf>,

    // --- Rate limits and metrics ---
    /// Requests and request bytes per second: per tenant by role, and per client IP on the
    /// anonymous routes. `0` means unlimited.
    pub rate_limits: RateLimitSettings,
    /// Where `/metrics` is served: `{ listen = "127.0.0.1:9090" }` for a separate address
    /// without a credential (then not on the API's; port 0 picks one, written to
    /// `data/metrics-addr`); `{}` (the default) on the API's listener, for an `admin` tenant's
    /// API key.
    pub metrics: MetricsSettings,

    // ---- Operations (issue 9): log format and the API's own TLS. Kept together. ----
    /// `text` (human-readable, the default) or `json` (one JSON object per line).
    pub log_format: LogFormat,
    /// HTTPS for the API (`cert` and `key`), and optionally client certificates (mTLS)
    /// mapped to tenants. Plain HTTP when `cert` and `key` are absent.
    pub tls: ApiTlsSettings,
    // ---- end of operations settings ----

    // ---- The evidence certificate (issue 25, item 4). Kept together. ----
    /// The operator's legal name, printed on every certificate; unset: a text saying it is a
    /// development operator.
    pub operator_legal_name: Option<String>,
    /// The operator's postal address, printed on every certificate.
    pub operator_address: Option<String>,
    /// The operator's registration or licence number, printed on every certificate.
    pub operator_registration: Option<String>,
    /// The operator's document-signing certificate (PEM: the certificate, then its
    /// intermediates), which signs the certificate PDFs; unset: the dev PKI's
    /// `<data>/pki/operator.pem`. Give it together with `operator_signing_key`.
    pub operator_signing_cert: Option<PathBuf>,
    /// Its private key (PEM); unset: `<data>/pki/operator.key`.
    pub operator_signing_key: Option<PathBuf>,
    /// The time zone a certificate gives local times in besides UTC (IANA name).
    pub certificate_time_zone: String,
    /// The OpenType font (`.ttc`/`.otf`/`.ttf`) with CJK glyphs that the certificate PDF embeds
    /// a subset of; read when a PDF is first asked for.
    pub certificate_font: PathBuf,
    // ---- end of certificate settings ----
    /// A test knob, not a setting (no key, no variable, never read from a file): the tests'
    /// full database (`store::PageLimit`).
    #[serde(skip)]
    #[doc(hidden)]
    pub page_limit: crate::store::PageLimit,
    /// A test knob, not a setting: the decode queue to use (a test holds its slots to make
    /// the queue's refusals deterministic); unset, one sized for this machine.
    #[serde(skip)]
    #[doc(hidden)]
    pub decode_queue: Option<crate::images::analyse::DecodeQueue>,
}

/// Where the metrics are served.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// A separate listen address for `/metrics`; on the API's listener when absent.
    pub listen: Option<SocketAddr>,
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, every field at the top level.
    Json,
}

/// The API's HTTPS listener. Paths to files; their contents are read at start-up and never
/// shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiTlsSettings {
    /// The server certificate (PEM; leaf first, then intermediates).
    pub cert: Option<PathBuf>,
    /// Its private key (PEM).
    pub key: Option<PathBuf>,
    /// The CA certificates (PEM) client certificates must chain to; needs `client_auth`.
    pub client_ca: Option<PathBuf>,
    /// `none` (no client certificates), `optional` (asked for; a client may send a bearer key
    /// instead) or `required` (refused at the handshake without one).
    pub client_auth: ClientAuth,
}

/// Whether the API asks for client certificates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    #[default]
    None,
    Optional,
    Required,
}

impl ApiTlsSettings {
    fn check(&self) -> anyhow::Result<()> {
        if self.cert.is_some() != self.key.is_some() {
            bail!("setting tls: give both tls.cert and tls.key, or neither");
        }
        if self.client_auth != ClientAuth::None && self.cert.is_none() {
            bail!("setting tls.client_auth: client certificates need HTTPS: set tls.cert and tls.key");
        }
        if (self.client_auth != ClientAuth::None) != self.client_ca.is_some() {
            bail!(
                "setting tls.client_ca: give tls.client_ca together with tls.client_auth = \"optional\" or \"required\""
            );
        }
        Ok(())
    }
}

/// One external witness. `Debug` never shows the credential.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessSettings {
    pub name: WitnessName,
    pub url: String,
    pub role: Role,
    /// The bearer token the witness expects from this operator (a secret: redacted in
    /// output), or `{ cert = "operator.pem", key = "operator.key" }` for mTLS.
    pub credential: CredentialSettings,
    /// For an `https://` witness: trust only this CA (PEM) for its certificate.
    pub ca: Option<PathBuf>,
}

/// A bearer token, or a client certificate and its PKCS#8 key (files).
#[derive(Clone, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum CredentialSettings {
    Token(String),
    Certificate { cert: PathBuf, key: PathBuf },
}

impl CredentialSettings {
    /// Reads the files of a certificate credential.
    pub fn load(&self) -> anyhow::Result<Credential> {
        Ok(match self {
            Self::Token(token) => Credential::Token(token.clone()),
            Self::Certificate { cert, key } => Credential::Certificate {
                cert_pem: std::fs::read(cert).with_context(|| format!("reading {}", cert.display()))?,
                key_pem: std::fs::read(key).with_context(|| format!("reading {}", key.display()))?,
            },
        })
    }
}

impl std::fmt::Debug for WitnessSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WitnessSettings")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("role", &self.role)
            .field(
                "credential",
                &match &self.credential {
                    CredentialSettings::Token(_) => "<redacted token>".to_owned(),
                    CredentialSettings::Certificate { cert, .. } => format!("certificate {}", cert.display()),
                },
            )
            .field("ca", &self.ca)
            .finish()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".parse().expect("a valid address"),
            data: PathBuf::from("./data"),
            public_url: None,
            database_url: None,
            database_password_file: None,
            log_name: "notarium.local/dev".parse().expect("a valid log name"),
            seal_interval_ms: 500,
            max_batch: 50_000,
            max_skew_ms: 5_000,
            max_upload_bytes: 64 << 20,
            max_image_bytes: 30 << 20,
            max_image_pixels: 100_000_000,
            max_search_pixels: crate::images::analyse::MAX_SEARCH_PIXELS,
            request_header_timeout_ms: 5_000,
            request_body_timeout_ms: 30_000,
            min_request_bytes_per_second: 4_096,
            witness_timeout_ms: 5_000,
            witness_retry_max_ms: 5_000,
            quorum: QuorumPolicy::default(),
            demo: true,
            witnesses: Vec::new(),
            audit_cron: DEFAULT_AUDIT_CRON.to_owned(),
            hospital_trust: None,
            rate_limits: RateLimitSettings::default(),
            metrics: MetricsSettings::default(),
            log_format: LogFormat::Text,
            tls: ApiTlsSettings::default(),
            operator_legal_name: None,
            operator_address: None,
            operator_registration: None,
            operator_signing_cert: None,
            operator_signing_key: None,
            certificate_time_zone: DEFAULT_TIME_ZONE.to_owned(),
            certificate_font: PathBuf::from(DEFAULT_FONT),
            page_limit: crate::store::PageLimit::default(),
            decode_queue: None,
        }
    }
}

/// The default directory, under `<data>/pki/`, of the hospitals' document-signing anchors.
pub const HOSPITAL_TRUST_DIR: &str = "hospital-trust";

/// The most records one block may hold (`max_batch`).
pub const MAX_BLOCK_LEAVES: u64 = 1_000_000;

impl Settings {
    /// Layers the settings. `file`: the `--config` path, or `notarium.toml` when it exists.
    /// `env`: the process environment (`NOTARIUM_<NAME>`). `flags`: values given on the
    /// command line.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: Table,
    ) -> anyhow::Result<Self> {
        let settings: Settings = load_layered(
            Settings::default(),
            file,
            "notarium.toml",
            "NOTARIUM_",
            env,
            // `NOTARIUM_WITNESS_*` configures `notarium witness`, possibly in the same environment.
            UnknownEnv::RefuseExcept(&["witness_"]),
            flags,
        )?;
        settings.check()?;
        Ok(settings)
    }

    /// The database: `database_url`, or the file in the data directory when it is unset.
    pub fn database(&self) -> anyhow::Result<crate::store::Database> {
        database(self.database_url.as_deref(), self.database_password_file.as_deref(), &self.data)
    }

    /// Where the hospitals' document-signing anchors are: `hospital_trust` or its default.
    pub fn hospital_trust_dir(&self) -> PathBuf {
        self.hospital_trust.clone().unwrap_or_else(|| self.data.join("pki").join(HOSPITAL_TRUST_DIR))
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.seal_interval_ms == 0 || self.max_batch == 0 || self.max_skew_ms == 0 {
            bail!("seal_interval_ms, max_batch and max_skew_ms must be positive");
        }
        if self.request_header_timeout_ms == 0 || self.request_body_timeout_ms == 0 {
            bail!("request_header_timeout_ms and request_body_timeout_ms must be positive");
        }
        if self.max_search_pixels == 0 {
            bail!("max_search_pixels must be positive");
        }
        if self.max_batch > MAX_BLOCK_LEAVES {
            // A block's leaves are read back as one row of hex (64 characters each), which
            // SQLite limits to 1 GB.
            bail!("max_batch is at most {MAX_BLOCK_LEAVES}, not {}", self.max_batch);
        }
        let mut names = std::collections::HashSet::new();
        if let Some(w) = self.witnesses.iter().find(|w| !names.insert(&w.name)) {
            bail!("witnesses: the name {:?} is used twice; each witness needs its own", w.name.as_str());
        }
        let (courts, notaries) = match self.witnesses.as_slice() {
            [] => (1, 1), // the in-process pair
            ws => (
                ws.iter().filter(|w| w.role == Role::Court).count(),
                ws.iter().filter(|w| w.role == Role::Notary).count(),
            ),
        };
        self.quorum.satisfiable_by(courts, notaries).context("setting quorum")?;
        validate_cron(&self.audit_cron).context("setting audit_cron")?;
        if let Some(url) = &self.public_url {
            PublicUrl::parse(url).context("setting public_url")?;
        }
        self.tls.check()?;
        operator::check(
            &self.certificate_time_zone,
            self.operator_signing_cert.as_deref(),
            self.operator_signing_key.as_deref(),
        )?;
        self.database()?;
        Ok(())
    }

    /// The settings as TOML with secrets redacted (for `notarium config`).
    pub fn redacted_toml(&self) -> String {
        let mut shown = self.clone();
        for w in &mut shown.witnesses {
            if let CredentialSettings::Token(t) = &mut w.credential {
                *t = "<redacted>".into();
            }
        }
        toml::to_string(&shown).expect("settings serialise")
    }
}

#[cfg(test)]
mod tests;
