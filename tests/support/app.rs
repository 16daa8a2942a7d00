//! `TestApp`: the real service in-process on a random port with a fresh data directory (and,
//! on PostgreSQL, a fresh database: [`crate::support::backend`]), with
//! request helpers that return typed answers ([`crate::support::api`]) and raw ones where a
//! test checks the wire form.

use std::collections::HashMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use notarium::app::Application;
use notarium::config::Settings;
use notarium::domain::{Hash, Receipt, TenantRole};
use notarium::store::Store;
use serde_json::{Value, json};

use crate::support::api::{Block, Evidence, EvidencePage, Items, ReceiptResponse, Witnesses, expect};
use crate::support::backend::{BACKEND, Backend, Db, database_url, store_of};

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
        settings.database_url = database_url(data.path());
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

    /// Registers a hash-only document titled "t" as the merchant (`201`).
    pub async fn register(&self, content: &[u8]) -> Evidence {
        let body = json!({ "kind": "document", "content_hash": Hash::of(content), "metadata": { "title": "t" } });
        expect(self.post_json("/v1/evidence", Some(self.key(TenantRole::Merchant)), &body).await, 201).await
    }

    /// `POST /v1/evidence` with a JSON `body` as `key` (`201`).
    pub async fn register_json(&self, key: &str, body: &Value) -> Evidence {
        expect(self.post_json("/v1/evidence", Some(key), body).await, 201).await
    }

    /// `POST /v1/evidence/batch` with `items` as `key` (`201`).
    pub async fn register_batch(&self, key: &str, items: &[Value]) -> Items {
        expect(self.post_json("/v1/evidence/batch", Some(key), &json!({ "items": items })).await, 201).await
    }

    /// `GET /v1/evidence/{id}` as `key` (`200`).
    pub async fn evidence(&self, id: impl Display, key: &str) -> Evidence {
        expect(self.get(&format!("/v1/evidence/{id}"), Some(key)).await, 200).await
    }

    /// `GET /v1/evidence?QUERY` (no query when empty) as `key` (`200`).
    pub async fn list(&self, query: &str, key: &str) -> EvidencePage {
        let path = if query.is_empty() { "/v1/evidence".to_owned() } else { format!("/v1/evidence?{query}") };
        expect(self.get(&path, Some(key)).await, 200).await
    }

    /// `POST /v1/evidence/lookup` for `content_hash` as `key` (`200`).
    pub async fn lookup(&self, content_hash: &str, key: &str) -> Items {
        let body = json!({ "content_hash": content_hash });
        expect(self.post_json("/v1/evidence/lookup", Some(key), &body).await, 200).await
    }

    /// `GET /v1/witnesses` (`200`).
    pub async fn witnesses(&self) -> Witnesses {
        expect(self.get("/v1/witnesses", None).await, 200).await
    }

    /// `GET /v1/blocks/{at}`, `at` a height or `latest` (`200`).
    pub async fn block(&self, at: impl Display) -> Block {
        expect(self.get(&format!("/v1/blocks/{at}"), None).await, 200).await
    }

    /// `GET /v1/evidence/{id}/receipt{query}` as `key`: the receipt (`200`), or the record
    /// while it is not anchored (`202` with `Retry-After: 1`).
    pub async fn receipt(&self, id: impl Display, key: &str, query: &str) -> ReceiptResponse {
        let res = self.get(&format!("/v1/evidence/{id}/receipt{query}"), Some(key)).await;
        match res.status().as_u16() {
            200 => ReceiptResponse::Anchored(Box::new(
                Receipt::from_json(&res.bytes().await.unwrap()).expect("a v1 receipt"),
            )),
            202 => {
                assert_eq!(res.headers().get("retry-after").expect("Retry-After"), "1");
                ReceiptResponse::NotYet(expect(res, 202).await)
            }
            other => panic!("receipt: {other} {}", res.text().await.unwrap()),
        }
    }

    /// The receipt of `id`, waiting until it is anchored (polls with `?wait=`, with a deadline).
    pub async fn anchored_receipt(&self, id: impl Display, key: &str) -> Receipt {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            match self.receipt(&id, key, "?wait=5").await {
                ReceiptResponse::Anchored(receipt) => return *receipt,
                ReceiptResponse::NotYet(_) => {
                    assert!(tokio::time::Instant::now() < deadline, "not anchored within 30 s")
                }
            }
        }
    }

    /// The service's storage, opened as the service opens it.
    pub async fn store(&self) -> Store {
        store_of(self.data.path()).await
    }

    /// A plain connection to the service's database.
    pub async fn db(&self) -> Db {
        Db::of(self.data.path()).await
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
        let sqlite_file = self.data.path().join(notarium::store::DB_FILE);
        assert!(BACKEND == Backend::Sqlite || !sqlite_file.exists(), "a SQLite file beside PostgreSQL");
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

/// The value of one sample in OpenMetrics text, e.g. `notarium_fork_detected` or
/// `notarium_witness_reachable{witness="court"}`.
pub fn metric(text: &str, sample: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
}
