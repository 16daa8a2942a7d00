//! Witness configurations as the tests write them: in-process ([`WitnessConfig`], started with
//! [`start_witness`]), as the service's settings for external witnesses ([`external_witnesses`]),
//! and as TOML for `notarium witness --config` and the service's `[[witnesses]]`.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use notarium::config::{CredentialSettings, Settings, WitnessSettings};
use notarium::domain::Role;
use notarium::witness::{WitnessConfig, serve};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use crate::support::wait_until;

/// The operator token of the witnesses the API tests start in-process.
pub const WITNESS_TOKEN: &str = "backlog-test-operator-token";

/// A plain-HTTP witness named after its `role` for the service's log, with no intermediates, a
/// 5 s clock skew allowance and the operator `tokens`; adjust fields with `..` where a test
/// needs another.
pub fn witness_config(role: Role, key: PKey<Private>, cert: X509, state_dir: &Path, tokens: &[&str]) -> WitnessConfig {
    WitnessConfig {
        name: role.as_str().parse().unwrap(),
        role,
        log: Settings::default().log_name,
        key,
        cert,
        intermediates: vec![],
        state_dir: state_dir.to_owned(),
        max_skew: Duration::from_secs(5),
        operator_tokens: tokens.iter().map(|t| t.to_string()).collect(),
        operator_certs: vec![],
        tls: None,
    }
}

/// Starts a witness for `role` with the dev PKI in `pki` (`{role}.key`, `{role}.pem`) on
/// `addr`, retrying while its state directory is still locked by a previous run that is
/// winding down.
pub async fn start_witness(role: Role, pki: &Path, state: &Path, addr: SocketAddr) -> ServerHandle {
    let read = |f: String| std::fs::read(pki.join(f)).unwrap();
    let server = wait_until(Duration::from_secs(10), async || {
        let key = PKey::private_key_from_pem(&read(format!("{role}.key"))).unwrap();
        let cert = X509::from_pem(&read(format!("{role}.pem"))).unwrap();
        let config = witness_config(role, key, cert, state, &[WITNESS_TOKEN]);
        TcpListener::bind(addr)
            .map_err(anyhow::Error::from)
            .and_then(|l| serve(config, l))
            .map_err(|e| format!("{e:#}"))
    })
    .await;
    let handle = server.handle();
    tokio::spawn(server);
    handle
}

/// Settings for a court at `addrs[0]` and a notary at `addrs[1]`, started with [`start_witness`].
pub fn external_witnesses(addrs: &[SocketAddr]) -> Vec<WitnessSettings> {
    [(Role::Court, addrs[0]), (Role::Notary, addrs[1])]
        .map(|(role, addr)| WitnessSettings {
            name: role.as_str().parse().unwrap(),
            url: format!("http://{addr}"),
            role,
            credential: CredentialSettings::Token(WITNESS_TOKEN.into()),
            ca: None,
        })
        .to_vec()
}

/// `witness.toml` for `notarium witness`: `role` with its key and certificate from the dev PKI
/// in `pki`, state in `state`, 3 s clock skew allowance, listening on port 0; `https` is empty
/// or a `tls = {...}` line, `operator` the operator's credential (`token = "..."` or
/// `client_cert = "..."`).
pub fn witness_toml(role: Role, pki: &Path, state: &Path, https: &str, operator: &str) -> String {
    format!(
        "listen = \"127.0.0.1:0\"\nname = \"{role}\"\nrole = \"{role}\"\nkey = \"{k}\"\ncerts = \"{c}\"\nstate = \"{s}\"\nmax_skew_ms = 3000\n{https}operators = [{{ name = \"op\", {operator} }}]\n",
        k = pki.join(format!("{role}.key")).display(),
        c = pki.join(format!("{role}.pem")).display(),
        s = state.display(),
    )
}

/// One `[[witnesses]]` entry of the service's TOML: `role` at `url`, with `credential` lines
/// (`credential = ...`, and `ca = ...` for HTTPS).
pub fn witnesses_entry(role: Role, url: &str, credential: &str) -> String {
    format!("[[witnesses]]\nname = \"{role}\"\nrole = \"{role}\"\nurl = \"{url}\"\n{credential}\n")
}
