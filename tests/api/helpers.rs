//! `TestApp`: the real service on a random port, with typed request helpers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use std::net::{SocketAddr, TcpListener};

use actix_web::dev::ServerHandle;
use notarium::app::Application;
use notarium::config::{CredentialSettings, Settings, WitnessSettings};
use notarium::domain::{Hash, Receipt, Role, TenantRole};
use notarium::store::Store;
use notarium::witness::{WitnessConfig, serve};
use serde_json::{Value, json};

pub struct TestApp {
    pub base: String,
    pub data: tempfile::TempDir,
    pub keys: HashMap<TenantRole, String>,
    pub http: reqwest::Client,
    handle: ServerHandle,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_on(tempfile::tempdir().unwrap(), adjust).await
    }

    /// The service on an existing data directory (a restart).
    pub async fn spawn_on(data: tempfile::TempDir, adjust: impl FnOnce(&mut Settings)) -> Self {
        let mut settings =
            Settings { listen: "127.0.0.1:0".parse().unwrap(), data: data.path().to_owned(), ..Settings::default() };
        settings.seal_interval_ms = 100;
        adjust(&mut settings);
        let app = Application::build(settings).await.expect("the app builds");
        let base = format!("http://{}", app.addr());
        let handle = app.handle();
        let task = tokio::spawn(app.run_until_stopped());
        let keys = demo_keys(data.path());
        Self { base, data, keys, http: reqwest::Client::new(), handle, task }
    }

    pub fn key(&self, role: TenantRole) -> &str {
        &self.keys[&role]
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post_json(&self, path: &str, key: Option<&str>, body: &Value) -> reqwest::Response {
        let mut req = self.http.post(self.url(path)).json(body);
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        req.send().await.unwrap()
    }

    /// A POST with a raw body and content type, as a misbehaving client might send.
    pub async fn post_raw(
        &self,
        path: &str,
        key: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        let req = self.http.post(self.url(path)).bearer_auth(key).header("content-type", content_type);
        req.body(body).send().await.unwrap()
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(self.url(path));
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        req.send().await.unwrap()
    }

    /// Registers a hash-only document as the merchant; returns the evidence JSON.
    pub async fn register(&self, content: &[u8]) -> Value {
        let body = json!({ "kind": "document", "content_hash": Hash::of(content), "metadata": { "title": "t" } });
        let res = self.post_json("/v1/evidence", Some(self.key(TenantRole::Merchant)), &body).await;
        assert_eq!(res.status(), 201);
        res.json().await.unwrap()
    }

    /// The receipt of `id`, waiting until it is anchored (polls with `?wait=`, with a deadline).
    pub async fn anchored_receipt(&self, id: &str, key: &str) -> Receipt {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let res = self.get(&format!("/v1/evidence/{id}/receipt?wait=5"), Some(key)).await;
            match res.status().as_u16() {
                200 => return Receipt::from_json(&res.bytes().await.unwrap()).expect("a v1 receipt"),
                202 => assert!(tokio::time::Instant::now() < deadline, "not anchored within 30 s"),
                other => panic!("receipt: {other} {}", res.text().await.unwrap()),
            }
        }
    }

    pub async fn store(&self) -> Store {
        Store::open(self.data.path()).await.unwrap()
    }

    pub async fn evidence_count(&self) -> u64 {
        self.store().await.evidence_count().await.unwrap()
    }

    pub fn trust_dir(&self) -> PathBuf {
        self.data.path().join("pki/trust")
    }

    pub async fn stop(self) -> tempfile::TempDir {
        self.handle.stop(true).await;
        self.task.await.unwrap().unwrap();
        self.data
    }
}

/// Reads `demo-keys.txt`: `role tenant-id key` per line.
pub fn demo_keys(data: &Path) -> HashMap<TenantRole, String> {
    let text = std::fs::read_to_string(data.join("demo-keys.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            (parts[0].parse().unwrap(), parts[2].to_owned())
        })
        .collect()
}

/// Problem+json: (status, code).
pub async fn problem(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert_eq!(ct, "application/problem+json", "status {status}");
    let body: Value = res.json().await.unwrap();
    (status, body["code"].as_str().unwrap().to_owned())
}

pub const WITNESS_TOKEN: &str = "backlog-test-operator-token";

/// Starts a witness for `role` with the app's dev PKI, retrying while its state directory is
/// still locked by a previous run that is winding down.
pub async fn start_witness(role: Role, pki: &Path, state: &Path, addr: SocketAddr) -> ServerHandle {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let read = |f: String| std::fs::read(pki.join(f)).unwrap();
        let config = WitnessConfig {
            name: role.as_str().parse().unwrap(),
            role,
            log: Settings::default().log_name,
            key: openssl::pkey::PKey::private_key_from_pem(&read(format!("{role}.key"))).unwrap(),
            cert: openssl::x509::X509::from_pem(&read(format!("{role}.pem"))).unwrap(),
            intermediates: vec![],
            state_dir: state.to_owned(),
            max_skew: Duration::from_secs(5),
            operator_tokens: vec![WITNESS_TOKEN.into()],
            operator_certs: vec![],
            tls: None,
        };
        let started = TcpListener::bind(addr).map_err(anyhow::Error::from).and_then(|l| serve(config, l));
        match started {
            Ok(server) => {
                let handle = server.handle();
                tokio::spawn(server);
                return handle;
            }
            Err(e) => assert!(tokio::time::Instant::now() < deadline, "witness did not start: {e:#}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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

/// The value of one sample in OpenMetrics text, e.g. `notarium_fork_detected` or
/// `notarium_witness_reachable{witness="court"}`.
pub fn metric(text: &str, sample: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
}
