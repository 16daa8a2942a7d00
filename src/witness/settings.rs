//! Settings of a witness process (`notarium witness`): defaults → `witness.toml` (or
//! `--config`) → `NOTARIUM_WITNESS_<NAME>` → flags. The operator's server never reads these.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, ensure};
use openssl::pkey::PKey;
use openssl::x509::X509;
use serde::{Deserialize, Serialize};
use toml::Table;

use super::server::WitnessConfig;
use crate::config::load_layered;
use crate::domain::{LogName, Role, WitnessName};

#[derive(Clone, Serialize, Deserialize)]
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
    /// The operators it serves, each with a bearer token. Everyone else gets 401.
    pub operators: Vec<Operator>,
}

/// One operator and its bearer token (a secret: never shown by `Debug`).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operator {
    pub name: String,
    pub token: String,
}

impl std::fmt::Debug for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operator").field("name", &self.name).field("token", &"<redacted>").finish()
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
        let s: Self = load_layered(Self::default(), file, "witness.toml", "NOTARIUM_WITNESS_", env, flags)?;
        ensure!(
            !s.operators.is_empty(),
            "no operators: a witness serves at least one operator (operators = [{{ name, token }}])"
        );
        ensure!(s.max_skew_ms > 0, "max_skew_ms must be positive");
        Ok(s)
    }

    /// Reads the key and certificates into the server's configuration.
    pub fn config(&self) -> anyhow::Result<WitnessConfig> {
        let key = std::fs::read(&self.key).with_context(|| format!("reading the key {}", self.key.display()))?;
        let certs = std::fs::read(&self.certs).with_context(|| format!("reading {}", self.certs.display()))?;
        let mut chain =
            X509::stack_from_pem(&certs).with_context(|| format!("{} is not PEM", self.certs.display()))?.into_iter();
        let cert = chain.next().with_context(|| format!("{} holds no certificate", self.certs.display()))?;
        Ok(WitnessConfig {
            name: self.name.clone(),
            role: self.role,
            log: self.log.clone(),
            key: PKey::private_key_from_pem(&key)
                .with_context(|| format!("{} is not a PEM key", self.key.display()))?,
            cert,
            intermediates: chain.collect(),
            state_dir: self.state.clone(),
            max_skew: Duration::from_millis(self.max_skew_ms),
            operator_tokens: self.operators.iter().map(|o| o.token.clone()).collect(),
        })
    }
}
