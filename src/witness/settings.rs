//! Settings of a witness process (`notarium witness`): defaults → `witness.toml` (or
//! `--config`) → `NOTARIUM_WITNESS_<NAME>` → flags. The operator's server never reads these.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, ensure};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use serde::{Deserialize, Serialize};
use toml::Table;

use super::server::WitnessConfig;
use crate::domain::{LogName, Role, WitnessName};
use crate::layered::{UnknownEnv, load_layered};
use crate::tls::TlsIdentity;

/// `Debug` is safe: operators' tokens are redacted.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessProcessSettings {
    /// Address to listen on.
    pub listen: SocketAddr,
    pub name: WitnessName,
    /// Must match the single OU of the certificate.
    pub role: Role,
    /// The one log this witness serves.
    pub log: LogName,
    /// The private key (PEM). Never in the operator's database.
    pub key: PathBuf,
    /// The certificate, then its intermediates (PEM, no root).
    pub certs: PathBuf,
    /// What it has signed: survives restarts and power loss.
    pub state: PathBuf,
    pub max_skew_ms: u64,
    /// HTTPS: `tls = { cert = "chain.pem", key = "tls.key" }`; plain HTTP when left out.
    pub tls: TlsFiles,
    /// The operators it serves, each with a bearer token or (over HTTPS) a client
    /// certificate. Everyone else gets 401.
    pub operators: Vec<Operator>,
}

/// The HTTPS certificate (then intermediates) and key; both or neither.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

/// One operator: `{ name, token }` or `{ name, client_cert = "operator.pem" }` (pinned).
/// The token is a secret: never shown by `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operator {
    pub name: String,
    pub token: Option<String>,
    pub client_cert: Option<PathBuf>,
}

impl std::fmt::Debug for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operator")
            .field("name", &self.name)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("client_cert", &self.client_cert)
            .finish()
    }
}

impl Default for WitnessProcessSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:7400".parse().expect("a valid address"),
            name: "court".parse().expect("a valid name"),
            role: Role::Court,
            log: "notarium.local/dev".parse().expect("a valid log name"),
            key: PathBuf::from("witness.key"),
            certs: PathBuf::from("witness.pem"),
            state: PathBuf::from("./witness-state"),
            max_skew_ms: 5_000,
            tls: TlsFiles::default(),
            operators: Vec::new(),
        }
    }
}

impl WitnessProcessSettings {
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: Table,
    ) -> anyhow::Result<Self> {
        let s: Self =
            load_layered(Self::default(), file, "witness.toml", "NOTARIUM_WITNESS_", env, UnknownEnv::Ignore, flags)?;
        ensure!(
            !s.operators.is_empty(),
            "no operators: a witness serves at least one operator (operators = [{{ name, token }}])"
        );
        ensure!(s.max_skew_ms > 0, "max_skew_ms must be positive");
        for o in &s.operators {
            ensure!(
                o.token.is_some() != o.client_cert.is_some(),
                "operator {:?}: give either token or client_cert",
                o.name
            );
        }
        ensure!(s.tls.cert.is_some() == s.tls.key.is_some(), "tls: give both cert and key, or neither");
        ensure!(
            s.tls.cert.is_some() || s.operators.iter().all(|o| o.client_cert.is_none()),
            "operators with client_cert need HTTPS: set tls = {{ cert, key }}"
        );
        Ok(s)
    }

    /// Reads the keys and certificates into the server's configuration.
    pub fn config(&self) -> anyhow::Result<WitnessConfig> {
        let (cert, intermediates) = read_chain(&self.certs)?;
        let tls = match (&self.tls.cert, &self.tls.key) {
            (Some(cert), Some(key)) => {
                let (cert, intermediates) = read_chain(cert)?;
                Some(TlsIdentity { cert, intermediates, key: read_key(key)? })
            }
            _ => None,
        };
        Ok(WitnessConfig {
            name: self.name.clone(),
            role: self.role,
            log: self.log.clone(),
            key: read_key(&self.key)?,
            cert,
            intermediates,
            state_dir: self.state.clone(),
            max_skew: Duration::from_millis(self.max_skew_ms),
            operator_tokens: self.operators.iter().filter_map(|o| o.token.clone()).collect(),
            operator_certs: self
                .operators
                .iter()
                .filter_map(|o| o.client_cert.as_deref())
                .map(|p| read_chain(p).map(|(cert, _)| cert))
                .collect::<anyhow::Result<_>>()?,
            tls,
        })
    }
}

fn read_key(path: &Path) -> anyhow::Result<PKey<Private>> {
    let pem = std::fs::read(path).with_context(|| format!("reading the key {}", path.display()))?;
    PKey::private_key_from_pem(&pem).with_context(|| format!("{} is not a PEM key", path.display()))
}

/// A PEM file's first certificate and the ones after it.
fn read_chain(path: &Path) -> anyhow::Result<(X509, Vec<X509>)> {
    let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mut chain = X509::stack_from_pem(&pem).with_context(|| format!("{} is not PEM", path.display()))?.into_iter();
    let first = chain.next().with_context(|| format!("{} holds no certificate", path.display()))?;
    Ok((first, chain.collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> anyhow::Result<WitnessProcessSettings> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("witness.toml");
        std::fs::write(&file, text).unwrap();
        WitnessProcessSettings::load(Some(&file), Vec::new(), Table::new())
    }

    #[test]
    fn operators_name_one_credential_and_client_certificates_need_https() {
        let tls = "tls = { cert = \"s.pem\", key = \"s.key\" }\n";
        let s = load(&format!(
            "{tls}operators = [{{ name = \"a\", token = \"t\" }}, {{ name = \"b\", client_cert = \"b.pem\" }}]\n"
        ))
        .unwrap();
        assert_eq!(s.tls.cert.as_deref(), Some(Path::new("s.pem")));
        assert!(format!("{:?}", s.operators).contains("<redacted>") && !format!("{:?}", s.operators).contains("\"t\""));

        for (text, expected) in [
            ("operators = [{ name = \"a\" }]\n".to_owned(), "either token or client_cert"),
            (format!("{tls}operators = [{{ name = \"a\", token = \"t\", client_cert = \"a.pem\" }}]\n"), "either token or client_cert"),
            ("operators = [{ name = \"b\", client_cert = \"b.pem\" }]\n".to_owned(), "need HTTPS"),
            ("tls = { cert = \"s.pem\" }\noperators = [{ name = \"a\", token = \"t\" }]\n".to_owned(), "both cert and key"),
            ("operators = []\n".to_owned(), "no operators"),
            ("tls = { cert = \"s.pem\", key = \"s.key\", ca = \"x\" }\noperators = [{ name = \"a\", token = \"t\" }]\n".to_owned(), "ca"),
        ] {
            let err = format!("{:#}", load(&text).unwrap_err());
            assert!(err.contains(expected), "{text}: {err}");
        }
    }
}
