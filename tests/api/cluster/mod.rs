//! Witnesses as real child processes on loopback ports: the server, a court and a notary.

mod anchoring;
mod forks;
mod outages;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use notarium::crypto::devpki::{TlsUsage, issue_tls, new_ca, write_dev_pki};
use notarium::domain::{Hash, Receipt, Role, TenantRole};
use notarium::store::Store;
use serde_json::json;

use crate::support::backend::{database_env, store_of};
use crate::support::process::{Proc, append_to, notarium, start_listening};
use crate::support::witness::{witness_toml, witnesses_entry};
use crate::support::{Evidence, WitnessView, Witnesses, demo_keys, expect, wait_until};

const TOKEN: &str = "cluster-test-operator-token";

/// `notarium ARGS...` with `env`, its stderr appended to `log`, started and listening: the
/// process and the address it wrote to `addr_file`.
async fn spawn(args: &[&str], env: &[(&str, &str)], addr_file: &Path, log: &Path) -> (Proc, String) {
    let mut cmd = notarium();
    cmd.args(args).envs(env.iter().copied()).env("RUST_LOG", "warn").stdout(Stdio::null()).stderr(append_to(log));
    // Our binary itself is the child, so killing the child kills the process.
    start_listening(&mut cmd, addr_file, log).await
}

struct Cluster {
    root: tempfile::TempDir,
    server: Option<Proc>,
    court: Option<Proc>,
    notary: Option<Proc>,
    witness_addrs: [String; 2],
    base: String,
    key: String,
    http: reqwest::Client,
}

impl Cluster {
    async fn start() -> Self {
        Self::start_with(&[], false).await
    }

    /// As `start`, with extra environment for the notary process (e.g. libfaketime's), and
    /// with `tls`, both witnesses on HTTPS: the court authenticates the operator by its client
    /// certificate (mTLS), the notary by its token.
    async fn start_with(notary_env: &[(&str, &str)], tls: bool) -> Self {
        let root = tempfile::tempdir().unwrap();
        let pki = root.path().join("pki");
        write_dev_pki(&pki).unwrap();
        let tls = tls.then(|| write_tls_files(&root.path().join("tls")));
        let mut witness_addrs = Vec::new();
        let mut procs = Vec::new();
        for role in [Role::Court, Role::Notary] {
            let dir = root.path().join(role.as_str());
            std::fs::create_dir_all(&dir).unwrap();
            let (https, operator) = match (&tls, role) {
                (None, _) => (String::new(), format!("token = \"{TOKEN}\"")),
                (Some(t), role) => (
                    format!("tls = {{ cert = {:?}, key = {:?} }}\n", t.join("server.pem"), t.join("server.key")),
                    match role {
                        Role::Court => format!("client_cert = {:?}", t.join("operator.pem")),
                        Role::Notary => format!("token = \"{TOKEN}\""),
                    },
                ),
            };
            let config = witness_toml(role, &pki, &dir.join("state"), &https, &operator);
            std::fs::write(dir.join("witness.toml"), config).unwrap();
            let env = if role == Role::Notary { notary_env } else { &[] };
            let (proc, addr) = start_witness_with(env, &dir, None).await;
            procs.push(proc);
            witness_addrs.push(addr);
        }
        let data = root.path().join("data");
        std::fs::create_dir_all(data.join("pki/trust")).unwrap();
        std::fs::copy(pki.join("ca.pem"), data.join("pki/ca.pem")).unwrap();
        std::fs::copy(pki.join("ca.pem"), data.join("pki/trust/ca.pem")).unwrap();
        let witnesses: String = [(Role::Court, &witness_addrs[0]), (Role::Notary, &witness_addrs[1])]
            .iter()
            .map(|(role, addr)| {
                let (scheme, credential) = match (&tls, role) {
                    (None, _) => ("http", format!("credential = \"{TOKEN}\"")),
                    (Some(t), Role::Court) => (
                        "https",
                        format!(
                            "credential = {{ cert = {:?}, key = {:?} }}\nca = {:?}",
                            t.join("operator.pem"),
                            t.join("operator.key"),
                            t.join("ca.pem")
                        ),
                    ),
                    (Some(t), Role::Notary) => {
                        ("https", format!("credential = \"{TOKEN}\"\nca = {:?}", t.join("ca.pem")))
                    }
                };
                witnesses_entry(*role, &format!("{scheme}://{addr}"), &credential)
            })
            .collect();
        let config = root.path().join("notarium.toml");
        std::fs::write(
            &config,
            format!("seal_interval_ms = 100\nmax_skew_ms = 3000\nwitness_timeout_ms = 1000\n{witnesses}"),
        )
        .unwrap();
        let (server, base) = start_server(root.path()).await;
        let key = demo_keys(&data)[&TenantRole::Merchant].clone();
        let mut procs = procs.into_iter();
        let (court, notary) = (procs.next(), procs.next());
        let witness_addrs = [witness_addrs[0].clone(), witness_addrs[1].clone()];
        Self { root, server: Some(server), court, notary, witness_addrs, base, key, http: reqwest::Client::new() }
    }

    /// Kills the server (SIGKILL) and starts it again on the same data.
    async fn restart_server(&mut self) {
        drop(self.server.take());
        let (server, base) = start_server(self.root.path()).await;
        (self.server, self.base) = (Some(server), base);
    }

    fn dir(&self, role: Role) -> PathBuf {
        self.root.path().join(role.as_str())
    }

    async fn register(&self, content: &[u8]) -> String {
        let body = json!({"kind": "document", "content_hash": Hash::of(content)});
        let res = self.http.post(format!("{}/v1/evidence", self.base)).bearer_auth(&self.key).json(&body);
        expect::<Evidence>(res.send().await.unwrap(), 201).await.id.to_string()
    }

    /// The receipt's status now (`200` or `202`) without waiting.
    async fn receipt_status(&self, id: &str) -> u16 {
        let url = format!("{}/v1/evidence/{id}/receipt", self.base);
        self.http.get(url).bearer_auth(&self.key).send().await.unwrap().status().as_u16()
    }

    async fn anchored_receipt(&self, id: &str, within: Duration) -> Receipt {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let url = format!("{}/v1/evidence/{id}/receipt?wait=2", self.base);
            let res = self.http.get(url).bearer_auth(&self.key).send().await.unwrap();
            if res.status() == 200 {
                return Receipt::from_json(&res.bytes().await.unwrap()).unwrap();
            }
            assert!(tokio::time::Instant::now() < deadline, "{id} not anchored in {within:?}");
        }
    }

    /// One witness as `/v1/witnesses` shows it.
    async fn witness(&self, name: &str) -> WitnessView {
        let url = format!("{}/v1/witnesses", self.base);
        let witnesses: Witnesses = expect(self.http.get(url).send().await.unwrap(), 200).await;
        witnesses.named(name).clone()
    }

    /// Waits (30 s at most) until `name`'s last refusal starts with `code`.
    async fn await_refusal(&self, name: &str, code: &str) {
        wait_until(Duration::from_secs(30), async || {
            let w = self.witness(name).await;
            match &w.last_refusal {
                Some(r) if r.starts_with(code) => Ok(()),
                _ => Err(format!("{name} did not refuse with {code}: {w:?}")),
            }
        })
        .await;
    }

    async fn store(&self) -> Store {
        store_of(&self.root.path().join("data")).await
    }
}

/// A TLS CA (`ca.pem`), the witnesses' HTTPS certificate for 127.0.0.1 (`server.*`) and the
/// operator's client certificate (`operator.*`), and one the witnesses do not know
/// (`stranger.*`); keys in PKCS#8 PEM.
fn write_tls_files(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let ca = new_ca("Cluster TLS CA", 30).unwrap();
    let server = issue_tls(&ca, "witness", TlsUsage::Server(&["127.0.0.1", "localhost"]), 30).unwrap();
    let operator = issue_tls(&ca, "operator", TlsUsage::Client, 30).unwrap();
    let stranger = issue_tls(&ca, "stranger", TlsUsage::Client, 30).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.cert.to_pem().unwrap()).unwrap();
    for (name, pair) in [("server", &server), ("operator", &operator), ("stranger", &stranger)] {
        std::fs::write(dir.join(format!("{name}.pem")), pair.cert.to_pem().unwrap()).unwrap();
        std::fs::write(dir.join(format!("{name}.key")), pair.key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    }
    dir.to_owned()
}

/// Starts `notarium serve` on `root/data` with `root/notarium.toml`.
async fn start_server(root: &Path) -> (Proc, String) {
    let (data, config, log) = (root.join("data"), root.join("notarium.toml"), root.join("server.log"));
    let args =
        ["serve", "--listen", "127.0.0.1:0", "--data", data.to_str().unwrap(), "--config", config.to_str().unwrap()];
    let env = database_env(&data);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (server, addr) = spawn(&args, &env, &data.join("listen-addr"), &log).await;
    (server, format!("http://{addr}"))
}

/// Starts `notarium witness --config dir/witness.toml`, on `listen` when given.
async fn start_witness(dir: &Path, listen: Option<&str>) -> (Proc, String) {
    start_witness_with(&[], dir, listen).await
}

async fn start_witness_with(env: &[(&str, &str)], dir: &Path, listen: Option<&str>) -> (Proc, String) {
    let config = dir.join("witness.toml");
    let mut args = vec!["witness", "--config", config.to_str().unwrap()];
    if let Some(listen) = listen {
        args.extend(["--listen", listen]);
    }
    spawn(&args, env, &dir.join("state/listen-addr"), &dir.join("witness.log")).await
}

/// Verifies `receipt` as a court would: `notarium verify` with the file and the dev CA, and
/// each co-signature with `openssl cms -verify` at its signing time.
fn verify_with_binary_and_openssl(root: &Path, receipt: &Receipt, content: &[u8]) {
    let (rpath, fpath) = (root.join("receipt.json"), root.join("content"));
    std::fs::write(&rpath, receipt.to_json_pretty()).unwrap();
    std::fs::write(&fpath, content).unwrap();
    let ca = root.join("pki/ca.pem");
    let out = notarium().arg("verify").arg(&rpath).arg("--file").arg(&fpath).arg("--trust").arg(&ca).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    for c in &receipt.cosignatures {
        let (h, p) = (root.join("header.txt"), root.join(format!("{}.p7s", c.witness)));
        std::fs::write(&h, &receipt.block.header).unwrap();
        std::fs::write(&p, &c.cms).unwrap();
        let at = notarium::crypto::cms::inspect(&c.cms).unwrap().signing_time.unwrap().unix_millis() / 1000;
        let ok = Command::new("openssl")
            .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
            .arg(&p)
            .arg("-content")
            .arg(&h)
            .arg("-CAfile")
            .arg(&ca)
            .args(["-purpose", "any", "-attime", &at.to_string(), "-out", "/dev/null"])
            .status()
            .unwrap();
        assert!(ok.success(), "openssl cms -verify refused {}", c.witness);
    }
}
