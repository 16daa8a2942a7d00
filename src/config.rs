//! Settings: one typed struct, layered defaults → `notarium.toml` → `NOTARIUM_<NAME>` → flags.
//! An unknown key or a bad value stops start-up naming the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use toml::{Table, Value};

use crate::audit::schedule::{DEFAULT_AUDIT_CRON, validate_cron};
use crate::domain::quorum::QuorumPolicy;
use crate::domain::{LogName, Role, WitnessName};
use crate::witness::client::Credential;

/// Everything `notarium serve` is configured with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address of the HTTP API.
    pub listen: SocketAddr,
    /// Data directory: database, PKI, witness state, uploaded originals.
    pub data: PathBuf,
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

    // --- Rate limits and metrics ---
    /// Requests and request bytes per second: per tenant by role, and per client IP on the
    /// anonymous routes. `0` means unlimited.
    pub rate_limits: RateLimitSettings,
    /// Where `/metrics` is served: `{ listen = "127.0.0.1:9090" }` for a separate address
    /// (then not on the API's); `{}` (the default) on the API's listener.
    pub metrics: MetricsSettings,

    // ---- Operations (issue 9): log format and the API's own TLS. Kept together. ----
    /// `text` (human-readable, the default) or `json` (one JSON object per line).
    pub log_format: LogFormat,
    /// HTTPS for the API (`cert` and `key`), and optionally client certificates (mTLS)
    /// mapped to tenants. Plain HTTP when `cert` and `key` are absent.
    pub tls: ApiTlsSettings,
    // ---- end of operations settings ----
}

/// One rate: a sustained rate and a burst, for requests and for request-body bytes
/// (`Content-Length`). `0` means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quota {
    pub requests_per_second: u32,
    pub burst_requests: u32,
    pub bytes_per_second: u64,
    pub burst_bytes: u64,
}

impl Default for Quota {
    /// 1,000 requests/s (bursts of 2,000) and 128 MiB/s (bursts of 128 MiB).
    fn default() -> Self {
        Self { requests_per_second: 1_000, burst_requests: 2_000, bytes_per_second: 128 << 20, burst_bytes: 128 << 20 }
    }
}

/// Quotas per tenant role, and per client IP on `/v1/verify`, `/v1/images/search`,
/// `/verify` and `/login`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    pub merchant: Quota,
    pub hospital: Quota,
    pub insurer: Quota,
    pub court: Quota,
    pub notary: Quota,
    pub admin: Quota,
    pub anonymous_per_ip: Quota,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        let tenant = Quota::default();
        Self {
            merchant: tenant,
            hospital: tenant,
            insurer: tenant,
            court: tenant,
            notary: tenant,
            admin: tenant,
            anonymous_per_ip: Quota {
                requests_per_second: 10,
                burst_requests: 30,
                bytes_per_second: 16 << 20,
                burst_bytes: 64 << 20,
            },
        }
    }
}

impl RateLimitSettings {
    /// The quota of a tenant role.
    pub fn for_role(&self, role: crate::domain::TenantRole) -> Quota {
        use crate::domain::TenantRole as R;
        match role {
            R::Merchant => self.merchant,
            R::Hospital => self.hospital,
            R::Insurer => self.insurer,
            R::Court => self.court,
            R::Notary => self.notary,
            R::Admin => self.admin,
        }
    }
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
            log_name: "notarium.local/dev".parse().expect("a valid log name"),
            seal_interval_ms: 500,
            max_batch: 50_000,
            max_skew_ms: 5_000,
            max_upload_bytes: 64 << 20,
            witness_timeout_ms: 5_000,
            witness_retry_max_ms: 5_000,
            quorum: QuorumPolicy::default(),
            demo: true,
            witnesses: Vec::new(),
            audit_cron: DEFAULT_AUDIT_CRON.to_owned(),
            rate_limits: RateLimitSettings::default(),
            metrics: MetricsSettings::default(),
            log_format: LogFormat::Text,
            tls: ApiTlsSettings::default(),
        }
    }
}

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

    fn check(&self) -> anyhow::Result<()> {
        if self.seal_interval_ms == 0 || self.max_batch == 0 || self.max_skew_ms == 0 {
            bail!("seal_interval_ms, max_batch and max_skew_ms must be positive");
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
        self.tls.check()?;
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

/// What to do with a `<prefix><NAME>` environment variable that names no setting.
#[derive(Debug, Clone, Copy)]
pub enum UnknownEnv<'a> {
    /// Refuse it, naming the variable, unless the lowercased name after the prefix starts with
    /// one of these (variables that belong to another process, e.g. `witness_` for
    /// `NOTARIUM_WITNESS_*`).
    RefuseExcept(&'a [&'a str]),
    /// Ignore it.
    Ignore,
}

/// Layers `defaults` → the TOML file (`file`, or `default_file` when it exists) → environment
/// variables `<env_prefix><NAME>` naming a top-level key → `flags`. Tables are merged key by
/// key, so `NOTARIUM_TLS='{ client_auth = "required" }'` keeps `tls.cert` from the file. Unknown
/// keys are refused, naming the key and where it came from; so is a bad value.
pub fn load_layered<T: Serialize + serde::de::DeserializeOwned>(
    defaults: T,
    file: Option<&Path>,
    default_file: &str,
    env_prefix: &str,
    env: impl IntoIterator<Item = (String, String)>,
    unknown_env: UnknownEnv<'_>,
    flags: Table,
) -> anyhow::Result<T> {
    let mut table = Value::try_from(defaults)?.as_table().cloned().expect("settings are a table");
    // The struct's own field names, so that an optional setting left out of the defaults
    // (an `Option` that is `None`) is still known.
    let known = field_names::<T>();
    let mut sources = std::collections::HashMap::new();
    let default_file = Path::new(default_file);
    let file = file.or_else(|| default_file.exists().then_some(default_file));
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let from_file: Table = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let source = format!("{}", path.display());
        merge(&mut table, from_file, &known, &source, &mut sources, |_| source.clone())?;
    }
    let mut from_env = Table::new();
    let mut env_names = std::collections::HashMap::new();
    for (name, value) in env {
        let Some(key) = name.strip_prefix(env_prefix).map(str::to_ascii_lowercase) else { continue };
        if !known.contains(&key.as_str()) {
            match unknown_env {
                UnknownEnv::RefuseExcept(others) if !others.iter().any(|o| key.starts_with(o)) => {
                    bail!("unknown setting {key:?} in the environment ({name}): no such setting")
                }
                _ => continue,
            }
        }
        // A TOML literal (number, bool, array, inline table) when it parses as one, else a string.
        let parsed = toml::from_str::<Table>(&format!("v = {value}")).ok().and_then(|mut t| t.remove("v"));
        from_env.insert(key.clone(), parsed.unwrap_or(Value::String(value)));
        env_names.insert(key, name);
    }
    merge(&mut table, from_env, &known, "the environment", &mut sources, |key| {
        format!("the environment ({})", env_names.get(key).map_or("?", String::as_str))
    })?;
    merge(&mut table, flags, &known, "the command line", &mut sources, |key| {
        format!("the command line (--{})", key.replace('_', "-"))
    })?;
    serde_path_to_error::deserialize(Value::Table(table)).map_err(|e| {
        let path = e.path().to_string();
        let top = path.split(['.', '[']).next().unwrap_or_default().to_owned();
        let from = sources.get(&top).cloned().unwrap_or_else(|| "the defaults".to_owned());
        anyhow::anyhow!("invalid setting {path:?} from {from}: {}", e.into_inner().message().trim())
    })
}

/// Merges `from` into `into`: top-level keys must exist; tables are merged key by key (their
/// keys are checked when the result is deserialised). Records where each top-level key came
/// from.
fn merge(
    into: &mut Table,
    from: Table,
    known: &[&str],
    source: &str,
    sources: &mut std::collections::HashMap<String, String>,
    name: impl Fn(&str) -> String,
) -> anyhow::Result<()> {
    for (key, value) in from {
        if !known.contains(&key.as_str()) {
            bail!("unknown setting {key:?} in {source}");
        }
        sources.insert(key.clone(), name(&key));
        match into.get_mut(&key) {
            Some(existing) => merge_value(existing, value),
            None => {
                into.insert(key, value);
            }
        }
    }
    Ok(())
}

/// The field names a `#[derive(Deserialize)]` struct asks for, read by a deserializer that
/// only records them.
fn field_names<T: serde::de::DeserializeOwned>() -> Vec<&'static str> {
    use serde::de::{Error as _, Visitor};
    use serde::forward_to_deserialize_any;
    #[derive(Default)]
    struct Names(Vec<&'static str>);
    impl<'de> serde::Deserializer<'de> for &mut Names {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Self::Error::custom("only field names"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.extend(fields);
            Err(Self::Error::custom("only field names"))
        }
        forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut names = Names::default();
    let _ = T::deserialize(&mut names);
    names.0
}

fn merge_value(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Table(into), Value::Table(from)) => {
            for (key, value) in from {
                match into.get_mut(&key) {
                    Some(existing) => merge_value(existing, value),
                    None => {
                        into.insert(key, value);
                    }
                }
            }
        }
        (into, from) => *into = from,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("n.toml");
        std::fs::write(&file, "seal_interval_ms = 200\nmax_batch = 10\n").unwrap();
        let mut flags = Table::new();
        flags.insert("max_batch".into(), Value::Integer(7));
        let s = Settings::load(
            Some(&file),
            env(&[("NOTARIUM_MAX_BATCH", "9"), ("NOTARIUM_DEMO", "false"), ("OTHER", "x")]),
            flags,
        )
        .unwrap();
        assert_eq!(s.seal_interval_ms, 200);
        assert_eq!(s.max_batch, 7);
        assert!(!s.demo);
        assert_eq!(s.listen.port(), 8080);
    }

    #[test]
    fn rate_limits_take_partial_tables() {
        let vars = env(&[("NOTARIUM_RATE_LIMITS", "{ merchant = { requests_per_second = 0 } }")]);
        let s = Settings::load(None, vars, Table::new()).unwrap();
        assert_eq!(s.rate_limits.merchant.requests_per_second, 0);
        assert_eq!(s.rate_limits.merchant.burst_requests, Quota::default().burst_requests);
        assert_eq!(s.rate_limits.hospital, Quota::default());
        let vars = env(&[("NOTARIUM_RATE_LIMITS", "{ merchant = { requests_per_secnd = 0 } }")]);
        let err = format!("{:#}", Settings::load(None, vars, Table::new()).unwrap_err());
        assert!(err.contains("requests_per_secnd"), "{err}");
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("n.toml");
        std::fs::write(&file, "seal_intervall_ms = 200\n").unwrap();
        let err = Settings::load(Some(&file), env(&[]), Table::new()).unwrap_err().to_string();
        assert!(err.contains("seal_intervall_ms"), "{err}");
        let err =
            format!("{:#}", Settings::load(None, env(&[("NOTARIUM_LISTEN", "nowhere")]), Table::new()).unwrap_err());
        assert!(err.contains("listen") || err.contains("address"), "{err}");
    }

    #[test]
    fn the_quorum_must_be_reachable_with_the_configured_witnesses() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("n.toml");
        let witness = |name: &str, role: &str| {
            format!(
                "[[witnesses]]\nname = \"{name}\"\nurl = \"http://127.0.0.1:1\"\nrole = \"{role}\"\ncredential = \"t\"\n"
            )
        };
        let twice = [witness("c1", "court"), witness("c1", "notary")].concat();
        std::fs::write(&file, twice).unwrap();
        let err = format!("{:#}", Settings::load(Some(&file), env(&[]), Table::new()).unwrap_err());
        assert!(err.contains("\"c1\" is used twice"), "{err}");

        let three = [witness("c1", "court"), witness("c2", "court"), witness("n1", "notary")].concat();
        std::fs::write(&file, format!("quorum = {{ court = 0, notary = 0, distinct_keys = 2 }}\n{three}")).unwrap();
        let s = Settings::load(Some(&file), env(&[]), Table::new()).unwrap();
        assert_eq!(s.quorum, QuorumPolicy::new(0, 0, 2).unwrap());

        std::fs::write(&file, format!("quorum = {{ court = 1, notary = 2, distinct_keys = 3 }}\n{three}")).unwrap();
        let err = format!("{:#}", Settings::load(Some(&file), env(&[]), Table::new()).unwrap_err());
        assert!(err.contains("quorum") && err.contains("notary"), "{err}");

        let err = format!(
            "{:#}",
            Settings::load(
                None,
                env(&[("NOTARIUM_QUORUM", "{ court = 1, notary = 1, distinct_keys = 1 }")]),
                Table::new()
            )
            .unwrap_err()
        );
        assert!(err.contains("less than court + notary"), "{err}");
        let err = format!(
            "{:#}",
            Settings::load(None, env(&[("NOTARIUM_QUORUM", "{ court = 1, notary = 1, quorate = 2 }")]), Table::new())
                .unwrap_err()
        );
        assert!(err.contains("quorate"), "{err}");
    }

    #[test]
    fn audit_cron_takes_six_fields_with_seconds_and_a_bad_one_names_the_key() {
        let s = Settings::load(None, env(&[("NOTARIUM_AUDIT_CRON", "*/10 * * * * *")]), Table::new()).unwrap();
        assert_eq!(s.audit_cron, "*/10 * * * * *");
        for good in ["@daily", "0 30 2 * * Sun", "0 0 3 1 * * 2099"] {
            validate_cron(good).unwrap();
        }
        assert_eq!(Settings::default().audit_cron, "0 0 3 * * *");
        for bad in ["0 3 * * *", "every night", "0 0 25 * * *", "0 0 3 * * * 2001"] {
            let err =
                format!("{:#}", Settings::load(None, env(&[("NOTARIUM_AUDIT_CRON", bad)]), Table::new()).unwrap_err());
            assert!(err.contains("audit_cron"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_witness_credential_is_a_token_or_a_client_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("n.toml");
        let witness = |credential: &str| {
            format!(
                "[[witnesses]]\nname = \"court\"\nurl = \"https://127.0.0.1:1\"\nrole = \"court\"\nca = \"ca.pem\"\ncredential = {credential}\n"
            )
        };
        let notary =
            "[[witnesses]]\nname = \"notary\"\nurl = \"http://127.0.0.1:2\"\nrole = \"notary\"\ncredential = \"tok\"\n";
        std::fs::write(&file, witness("{ cert = \"op.pem\", key = \"op.key\" }") + notary).unwrap();
        let s = Settings::load(Some(&file), env(&[]), Table::new()).unwrap();
        assert!(
            matches!(&s.witnesses[0].credential, CredentialSettings::Certificate { cert, .. } if cert == Path::new("op.pem"))
        );
        assert_eq!(s.witnesses[0].ca.as_deref(), Some(Path::new("ca.pem")));
        let shown = s.redacted_toml();
        assert!(shown.contains("op.pem") && !shown.contains("\"tok\""), "{shown}");

        std::fs::write(&file, witness("{ cert = \"op.pem\", key = \"op.key\", pin = 1 }") + notary).unwrap();
        assert!(Settings::load(Some(&file), env(&[]), Table::new()).is_err());
    }

    #[test]
    fn credentials_are_redacted() {
        let mut s = Settings::default();
        s.witnesses.push(WitnessSettings {
            name: "court".parse().unwrap(),
            url: "http://127.0.0.1:1".into(),
            role: Role::Court,
            credential: CredentialSettings::Token("s3cret".into()),
            ca: None,
        });
        let shown = s.redacted_toml();
        assert!(!shown.contains("s3cret") && shown.contains("<redacted>"), "{shown}");
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    /// Every key path of a TOML value: `a`, `a.b`, and `list[].key` for arrays of tables.
    fn key_paths(prefix: &str, value: &Value, into: &mut std::collections::BTreeSet<String>) {
        match value {
            Value::Table(t) => {
                for (k, v) in t {
                    let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    into.insert(path.clone());
                    key_paths(&path, v, into);
                }
            }
            Value::Array(items) => {
                for item in items.iter().filter(|i| i.is_table()) {
                    key_paths(&format!("{prefix}[]"), item, into);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn docs_configuration_md_lists_exactly_the_settings() {
        // Every optional field set, so that the serialised form shows every key.
        let mut s = Settings::default();
        s.witnesses.push(WitnessSettings {
            name: "court".parse().unwrap(),
            url: "https://127.0.0.1:1".into(),
            role: Role::Court,
            credential: CredentialSettings::Token("t".into()),
            ca: Some("ca.pem".into()),
        });
        s.tls = ApiTlsSettings {
            cert: Some("s.pem".into()),
            key: Some("s.key".into()),
            client_ca: Some("c.pem".into()),
            client_auth: ClientAuth::Optional,
        };
        s.metrics.listen = Some("127.0.0.1:9090".parse().unwrap());
        let mut in_struct = std::collections::BTreeSet::new();
        key_paths("", &Value::try_from(&s).unwrap(), &mut in_struct);

        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/configuration.md")).unwrap();
        let table = doc.split("## Settings").nth(1).expect("a ## Settings section");
        let in_docs: std::collections::BTreeSet<String> = table
            .lines()
            .take_while(|l| !l.starts_with("## "))
            .filter_map(|l| l.strip_prefix("| `")?.split_once('`').map(|(key, _)| key.to_owned()))
            .collect();
        let undocumented: Vec<_> = in_struct.difference(&in_docs).collect();
        let stale: Vec<_> = in_docs.difference(&in_struct).collect();
        assert!(
            undocumented.is_empty() && stale.is_empty(),
            "docs/configuration.md is out of step with Settings: undocumented {undocumented:?}, documented but not a setting {stale:?}"
        );
    }

    #[test]
    fn unknown_environment_variables_and_bad_flags_name_the_key_and_the_source() {
        let err =
            format!("{:#}", Settings::load(None, env(&[("NOTARIUM_SEAL_INTERVAL", "5")]), Table::new()).unwrap_err());
        assert!(err.contains("NOTARIUM_SEAL_INTERVAL") && err.contains("seal_interval"), "{err}");
        // The witness process's variables may share the environment.
        Settings::load(None, env(&[("NOTARIUM_WITNESS_LISTEN", "x"), ("NOTARIUM_WITNESS_NAME", "c")]), Table::new())
            .unwrap();

        let err =
            format!("{:#}", Settings::load(None, env(&[("NOTARIUM_MAX_BATCH", "many")]), Table::new()).unwrap_err());
        assert!(err.contains("\"max_batch\"") && err.contains("NOTARIUM_MAX_BATCH"), "{err}");

        let mut flags = Table::new();
        flags.insert("listen".into(), Value::String("nowhere".into()));
        let err = format!("{:#}", Settings::load(None, env(&[("NOTARIUM_LISTEN", "127.0.0.1:1")]), flags).unwrap_err());
        assert!(err.contains("\"listen\"") && err.contains("--listen"), "{err}");

        let mut flags = Table::new();
        flags.insert("listenn".into(), Value::String("127.0.0.1:1".into()));
        let err = format!("{:#}", Settings::load(None, env(&[]), flags).unwrap_err());
        assert!(err.contains("listenn") && err.contains("command line"), "{err}");

        let err =
            format!("{:#}", Settings::load(None, env(&[("NOTARIUM_LOG_FORMAT", "xml")]), Table::new()).unwrap_err());
        assert!(err.contains("log_format") && err.contains("NOTARIUM_LOG_FORMAT"), "{err}");
        let s = Settings::load(None, env(&[("NOTARIUM_LOG_FORMAT", "json")]), Table::new()).unwrap();
        assert_eq!(s.log_format, LogFormat::Json);
    }

    #[test]
    fn tls_tables_merge_key_by_key_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("n.toml");
        std::fs::write(
            &file,
            "[tls]\ncert = \"s.pem\"\nkey = \"s.key\"\nclient_ca = \"c.pem\"\nclient_auth = \"optional\"\n",
        )
        .unwrap();
        let s = Settings::load(Some(&file), env(&[("NOTARIUM_TLS", "{ client_auth = \"required\" }")]), Table::new())
            .unwrap();
        assert_eq!(s.tls.cert.as_deref(), Some(Path::new("s.pem")));
        assert_eq!(s.tls.client_auth, ClientAuth::Required);
        let shown = s.redacted_toml();
        assert!(shown.contains("s.key") && shown.contains("required"), "{shown}");

        for (text, named) in [
            ("[tls]\ncert = \"s.pem\"\n", "tls.key"),
            ("[tls]\nclient_auth = \"required\"\nclient_ca = \"c.pem\"\n", "tls.client_auth"),
            ("[tls]\ncert = \"s.pem\"\nkey = \"s.key\"\nclient_auth = \"optional\"\n", "tls.client_ca"),
            ("[tls]\ncert = \"s.pem\"\nkey = \"s.key\"\nclient_auth = \"sometimes\"\n", "tls.client_auth"),
            ("[tls]\ncert = \"s.pem\"\nkey = \"s.key\"\nkey_password = \"x\"\n", "key_password"),
        ] {
            std::fs::write(&file, text).unwrap();
            let err = format!("{:#}", Settings::load(Some(&file), env(&[]), Table::new()).unwrap_err());
            assert!(err.contains(named), "{text}: {err}");
        }
    }

    #[test]
    fn an_optional_top_level_setting_left_out_of_the_defaults_is_still_known() {
        #[derive(Debug, Default, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct S {
            listen: Option<String>,
            n: u64,
        }
        assert_eq!(field_names::<S>(), ["listen", "n"]);
        let s: S = load_layered(
            S::default(),
            None,
            "none.toml",
            "T_",
            env(&[("T_LISTEN", "a")]),
            UnknownEnv::RefuseExcept(&[]),
            Table::new(),
        )
        .unwrap();
        assert_eq!(s.listen.as_deref(), Some("a"));
        let err = load_layered(
            S::default(),
            None,
            "none.toml",
            "T_",
            env(&[("T_LISTN", "a")]),
            UnknownEnv::RefuseExcept(&[]),
            Table::new(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("T_LISTN"), "{err}");
    }
}
