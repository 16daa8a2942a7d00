//! Shared by the benchmark examples (`mod support;`); each example uses the part it needs.
#![allow(dead_code)]

pub mod photo;
pub mod server;

/// The service a benchmark drives, and the API key it sends.
#[derive(clap::Args, Debug, Clone)]
pub struct Target {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// An API key (e.g. the merchant's line of data/demo-keys.txt).
    #[arg(long)]
    pub key: String,
}

impl Target {
    /// A request to `path` on the service, with the key.
    pub fn request(&self, http: &reqwest::Client, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        http.request(method, format!("{}{path}", self.url)).bearer_auth(&self.key)
    }
}

/// p50, p99 and max of `v` (sorted in place); zeros when empty.
pub fn percentiles(v: &mut [u64]) -> (f64, f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    v.sort_unstable();
    let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize] as f64;
    (at(0.5), at(0.99), *v.last().unwrap() as f64)
}

/// One evidence row as the writer makes it, for the storage ceilings.
pub struct Row {
    pub seq: i64,
    pub id: [u8; 16],
    pub content: [u8; 32],
    pub salt: [u8; 32],
    pub leaf: [u8; 32],
    pub received_ms: i64,
}

/// The next row: a fresh UUIDv7 and hashes as random as the writer's.
pub fn row(seq: &mut i64) -> Row {
    *seq += 1;
    let h =
        |what: &str| *notarium::domain::Hash::of(format!("{what}/{}/{seq}", std::process::id()).as_bytes()).as_bytes();
    Row {
        seq: *seq - 1,
        id: *notarium::domain::EvidenceId::generate().as_uuid().as_bytes(),
        content: h("content"),
        salt: h("salt"),
        leaf: h("leaf"),
        received_ms: notarium::domain::Timestamp::now().unix_millis(),
    }
}
