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
        let settings: Settings = load_layered(Settings::default(), file, "notarium.toml", "NOTARIUM_", env, flags)?;
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

/// Layers `defaults` → the TOML file (`file`, or `default_file` when it exists) → environment
/// variables `<env_prefix><NAME>` naming a top-level key → `flags`. Unknown keys are refused,
/// naming the key and where it came from.
pub fn load_layered<T: Serialize + serde::de::DeserializeOwned>(
    defaults: T,
    file: Option<&Path>,
    default_file: &str,
    env_prefix: &str,
    env: impl IntoIterator<Item = (String, String)>,
    flags: Table,
) -> anyhow::Result<T> {
    let mut table = Value::try_from(defaults)?.as_table().cloned().expect("settings are a table");
    let default_file = Path::new(default_file);
    let file = file.or_else(|| default_file.exists().then_some(default_file));
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let from_file: Table = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        merge(&mut table, from_file, &format!("{}", path.display()))?;
    }
    let mut from_env = Table::new();
    for (name, value) in env {
        let Some(key) = name.strip_prefix(env_prefix).map(str::to_ascii_lowercase) else { continue };
        if table.contains_key(&key) {
            // A TOML literal (number, bool, array) when it parses as one, else a string.
            let parsed = toml::from_str::<Table>(&format!("v = {value}")).ok().and_then(|mut t| t.remove("v"));
            from_env.insert(key, parsed.unwrap_or(Value::String(value)));
        }
    }
    merge(&mut table, from_env, "the environment")?;
    merge(&mut table, flags, "the command line")?;
    Value::Table(table).try_into().context("invalid settings")
}

fn merge(into: &mut Table, from: Table, source: &str) -> anyhow::Result<()> {
    for (key, value) in from {
        if !into.contains_key(&key) {
            bail!("unknown setting {key:?} in {source}");
        }
        into.insert(key, value);
    }
    Ok(())
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
}
