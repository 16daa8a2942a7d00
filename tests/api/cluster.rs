//! Witnesses as real child processes on loopback ports: the server, a court and a notary.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use notarium::crypto::devpki::{TlsUsage, issue_tls, new_ca, write_dev_pki};
use notarium::domain::{BlockHeader, Hash, Receipt, Role, TenantRole};
use notarium::store::Store;
use serde_json::{Value, json};

use crate::helpers::{demo_keys, metric};

const TOKEN: &str = "cluster-test-operator-token";

/// A child process that is killed (SIGKILL) and reaped when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str], env: &[(&str, &str)], log: &Path) -> Proc {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_notarium"));
    cmd.args(args).envs(env.iter().copied()).env("RUST_LOG", "warn").stdout(Stdio::null()).stderr(log);
    // Our binary itself is the child, so killing the child kills the process.
    Proc(cmd.spawn().unwrap())
}

/// Waits for `dir/listen-addr` (removed first by the caller) and returns it.
async fn addr_in(dir: &Path, log: &Path) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(addr) = std::fs::read_to_string(dir.join("listen-addr")) {
            return addr;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "did not start: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
            let config = format!(
                "listen = \"127.0.0.1:0\"\nname = \"{role}\"\nrole = \"{role}\"\nkey = \"{k}\"\ncerts = \"{c}\"\nstate = \"{s}\"\nmax_skew_ms = 3000\n{https}operators = [{{ name = \"op\", {operator} }}]\n",
                k = pki.join(format!("{role}.key")).display(),
                c = pki.join(format!("{role}.pem")).display(),
                s = dir.join("state").display(),
            );
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
                format!(
                    "[[witnesses]]\nname = \"{role}\"\nrole = \"{role}\"\nurl = \"{scheme}://{addr}\"\n{credential}\n"
                )
            })
            .collect();
        let config = root.path().join("notarium.toml");
        std::fs::write(
            &config,
            format!("seal_interval_ms = 100\nmax_skew_ms = 3000\nwitness_timeout_ms = 1000\n{witnesses}"),
        )
        .unwrap();
        let log = root.path().join("server.log");
        let server = spawn(
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data",
                data.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
            ],
            &[],
            &log,
        );
        let base = format!("http://{}", addr_in(&data, &log).await);
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
        let res = self
            .http
            .post(format!("{}/v1/evidence", self.base))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
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
    async fn witness(&self, name: &str) -> Value {
        let url = format!("{}/v1/witnesses", self.base);
        let w: Value = self.http.get(url).send().await.unwrap().json().await.unwrap();
        w["witnesses"].as_array().unwrap().iter().find(|w| w["name"] == name).unwrap().clone()
    }

    /// Waits (30 s at most) until `name`'s last refusal starts with `code`.
    async fn await_refusal(&self, name: &str, code: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let w = self.witness(name).await;
            if w["last_refusal"].as_str().is_some_and(|r| r.starts_with(code)) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "{name} did not refuse with {code}: {w}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn store(&self) -> Store {
        Store::open(&self.root.path().join("data")).await.unwrap()
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
    let _ = std::fs::remove_file(data.join("listen-addr"));
    let args =
        ["serve", "--listen", "127.0.0.1:0", "--data", data.to_str().unwrap(), "--config", config.to_str().unwrap()];
    let server = spawn(&args, &[], &log);
    let base = format!("http://{}", addr_in(&data, &log).await);
    (server, base)
}

/// Starts `notarium witness --config dir/witness.toml`, on `listen` when given.
async fn start_witness(dir: &Path, listen: Option<&str>) -> (Proc, String) {
    start_witness_with(&[], dir, listen).await
}

async fn start_witness_with(env: &[(&str, &str)], dir: &Path, listen: Option<&str>) -> (Proc, String) {
    let _ = std::fs::remove_file(dir.join("state/listen-addr"));
    let config = dir.join("witness.toml");
    let mut args = vec!["witness", "--config", config.to_str().unwrap()];
    if let Some(listen) = listen {
        args.extend(["--listen", listen]);
    }
    let log = dir.join("witness.log");
    let proc = spawn(&args, env, &log);
    let addr = addr_in(&dir.join("state"), &log).await;
    (proc, addr)
}

fn verify_with_binary_and_openssl(root: &Path, receipt: &Receipt, content: &[u8]) {
    let (rpath, fpath) = (root.join("receipt.json"), root.join("content"));
    std::fs::write(&rpath, receipt.to_json_pretty()).unwrap();
    std::fs::write(&fpath, content).unwrap();
    let ca = root.join("pki/ca.pem");
    let out = Command::new(env!("CARGO_BIN_EXE_notarium"))
        .arg("verify")
        .arg(&rpath)
        .arg("--file")
        .arg(&fpath)
        .arg("--trust")
        .arg(&ca)
        .output()
        .unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_register_anchor_and_verify() {
    let cluster = Cluster::start().await;
    let id = cluster.register(b"three processes").await;
    let receipt = cluster.anchored_receipt(&id, Duration::from_secs(30)).await;
    assert_eq!(receipt.cosignatures.len(), 2);
    verify_with_binary_and_openssl(cluster.root.path(), &receipt, b"three processes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn witnesses_over_https_with_a_client_certificate_or_a_token() {
    let cluster = Cluster::start_with(&[], true).await;
    let id = cluster.register(b"over https").await;
    let receipt = cluster.anchored_receipt(&id, Duration::from_secs(30)).await;
    assert_eq!(receipt.cosignatures.len(), 2);
    verify_with_binary_and_openssl(cluster.root.path(), &receipt, b"over https");

    // The court accepts only the pinned client certificate: a client trusting its HTTPS
    // certificate but presenting none (and no token) is refused, and plain HTTP gets nowhere.
    let ca = std::fs::read(cluster.root.path().join("tls/ca.pem")).unwrap();
    let court = format!("https://{}", cluster.witness_addrs[0]);
    let stranger =
        reqwest::Client::builder().tls_certs_only(reqwest::Certificate::from_pem_bundle(&ca).unwrap()).build().unwrap();
    let res = stranger.get(format!("{court}/witness/v1/state")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "missing_credential");
    let tls = cluster.root.path().join("tls");
    let read = |f: &str| std::fs::read(tls.join(f)).unwrap();
    let identity = reqwest::Identity::from_pkcs8_pem(&read("stranger.pem"), &read("stranger.key")).unwrap();
    let stranger = reqwest::Client::builder()
        .tls_certs_only(reqwest::Certificate::from_pem_bundle(&ca).unwrap())
        .identity(identity)
        .build()
        .unwrap();
    let res = stranger.get(format!("{court}/witness/v1/state")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_credential");
    let plain = reqwest::get(format!("http://{}/witness/v1/state", cluster.witness_addrs[0])).await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
    // A client that does not trust the witnesses' TLS CA does not connect at all.
    let untrusting = reqwest::Client::builder()
        .tls_certs_only(
            reqwest::Certificate::from_pem_bundle(&std::fs::read(cluster.root.path().join("pki/ca.pem")).unwrap())
                .unwrap(),
        )
        .build()
        .unwrap();
    assert!(untrusting.get(format!("{court}/witness/v1/state")).send().await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_notary_returns_and_its_backlog_anchors_in_order() {
    let mut cluster = Cluster::start().await;
    let first = cluster.register(b"before").await;
    cluster.anchored_receipt(&first, Duration::from_secs(30)).await;
    let store = cluster.store().await;
    let before = store.latest_block().await.unwrap().unwrap().height;

    drop(cluster.notary.take()); // SIGKILL
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(cluster.register(format!("during {i}").as_bytes()).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Sealing goes on without the notary; receipts answer 202. Heartbeats follow (max_skew/2).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !store.blocks_from(before + 1, 10_000).await.unwrap().iter().any(|b| b.leaf_count == 0) {
        assert!(tokio::time::Instant::now() < deadline, "no heartbeat block while the notary was down");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(store.latest_block().await.unwrap().unwrap().height > before);
    assert_eq!(cluster.receipt_status(&ids[0]).await, 202);
    let notary = cluster.witness("notary").await;
    assert!(notary["lag_blocks"].as_u64().unwrap() > 0, "{notary}");
    assert!(notary["lag_seconds"].as_f64().unwrap() > 0.0, "{notary}");
    assert_eq!(notary["reachable"], false, "{notary}");

    let addr = cluster.witness_addrs[1].clone();
    let (notary, _) = start_witness(&cluster.dir(Role::Notary), Some(&addr)).await;
    cluster.notary = Some(notary);
    for id in &ids {
        cluster.anchored_receipt(id, Duration::from_secs(30)).await;
    }
    // Nothing signed twice at one height: per block, one co-signature per witness, over the
    // block's own header.
    let top = store.oldest_unanchored().await.unwrap().unwrap_or(u64::MAX);
    for b in store.blocks_from(0, 10_000).await.unwrap().into_iter().filter(|b| b.height < top) {
        let cosigs = store.cosignatures(b.height).await.unwrap();
        let names: Vec<&str> = cosigs.iter().map(|c| c.witness.as_str()).collect();
        assert_eq!(names, ["court", "notary"], "block {}", b.height);
        for c in cosigs {
            let facts = notarium::crypto::cms::inspect(&c.cms).unwrap();
            let signer = openssl::x509::X509::from_der(&facts.signer_cert).unwrap();
            notarium::crypto::cms::verify_signature(&c.cms, b.header.as_bytes(), &signer).unwrap();
        }
        assert_eq!(BlockHeader::parse(&b.header).unwrap().block_hash(), b.block_hash);
    }
    drop(cluster.court.take());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_that_lost_its_state_is_refused_until_enrolled() {
    let mut cluster = Cluster::start().await;
    let first = cluster.register(b"before the loss").await;
    cluster.anchored_receipt(&first, Duration::from_secs(30)).await;

    drop(cluster.notary.take());
    let notary_dir = cluster.dir(Role::Notary);
    std::fs::remove_dir_all(notary_dir.join("state")).unwrap();
    let addr = cluster.witness_addrs[1].clone();
    let (notary, _) = start_witness(&notary_dir, Some(&addr)).await;
    cluster.notary = Some(notary);

    let second = cluster.register(b"after the loss").await;
    cluster.await_refusal("notary", "gap").await;
    assert_eq!(cluster.receipt_status(&second).await, 202, "not anchored with a witness that forgot its state");

    // The operator re-enrols it at the last block it co-signed, and it co-signs again.
    drop(cluster.notary.take());
    let store = cluster.store().await;
    let height = store.last_cosigned(&"notary".parse().unwrap()).await.unwrap().unwrap();
    let hash = store.block(height).await.unwrap().unwrap().block_hash;
    let config = notary_dir.join("witness.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_notarium"))
        .args([
            "witness",
            "enrol",
            "--config",
            config.to_str().unwrap(),
            "--height",
            &height.to_string(),
            "--block-hash",
            &hash.to_string(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (notary, _) = start_witness(&notary_dir, Some(&addr)).await;
    cluster.notary = Some(notary);
    let receipt = cluster.anchored_receipt(&second, Duration::from_secs(30)).await;
    verify_with_binary_and_openssl(cluster.root.path(), &receipt, b"after the loss");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_through_the_database_is_refused_and_reported() {
    let mut cluster = Cluster::start().await;
    let id = cluster.register(b"anchored before the rollback").await;
    let old_receipt = cluster.anchored_receipt(&id, Duration::from_secs(30)).await;
    let height = old_receipt.block.height;

    // Roll the operator's database back: the co-signed block and its successors disappear,
    // so the sealer will seal a different block at a height the witnesses already signed.
    drop(cluster.server.take());
    let url = format!("sqlite://{}", cluster.root.path().join("data/notarium.db").display());
    let mut db = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
    for sql in [
        "DELETE FROM cosignatures WHERE height >= ?",
        "DELETE FROM block_tiles WHERE height >= ?",
        "DELETE FROM blocks WHERE height >= ?",
    ] {
        sqlx::query(sql).bind(height as i64).execute(&mut db).await.unwrap();
    }
    drop(db);
    cluster.restart_server().await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let ready = loop {
        let res = cluster.http.get(format!("{}/readyz", cluster.base)).send().await.unwrap();
        let (status, body) = (res.status().as_u16(), res.json::<Value>().await.unwrap());
        if body["fork"].is_string() {
            break (status, body);
        }
        assert!(tokio::time::Instant::now() < deadline, "no fork reported: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(ready.0, 503, "{}", ready.1);
    for name in ["court", "notary"] {
        cluster.await_refusal(name, "fork").await;
    }
    let text = cluster.http.get(format!("{}/metrics", cluster.base)).send().await.unwrap().text().await.unwrap();
    assert_eq!(metric(&text, "notarium_fork_detected"), Some(1.0), "{text}");
    for name in ["court", "notary"] {
        let refusals = metric(&text, &format!("notarium_witness_refusals_total{{witness=\"{name}\",code=\"fork\"}}"));
        assert!(refusals.is_some_and(|n| n >= 1.0), "{text}");
    }
    // Receipts issued before still verify offline.
    verify_with_binary_and_openssl(cluster.root.path(), &old_receipt, b"anchored before the rollback");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_whose_clock_is_ten_minutes_ahead_refuses_and_says_why() {
    // libfaketime preloaded into the witness binary itself (the faketime wrapper forks, and
    // killing it would orphan the witness).
    const LIB: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
    if !Path::new(LIB).exists() {
        assert!(std::env::var_os("CI").is_none(), "libfaketime is missing in CI: apt-get install faketime");
        eprintln!("SKIPPED: libfaketime is not installed; apt-get install faketime");
        return;
    }
    let cluster = Cluster::start_with(&[("LD_PRELOAD", LIB), ("FAKETIME", "+10m")], false).await;
    let id = cluster.register(b"sealed now, ten minutes ago for the notary").await;
    cluster.await_refusal("notary", "clock_skew").await;
    assert_eq!(cluster.receipt_status(&id).await, 202, "nothing anchors without the notary");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_to_a_witness_process_leave_its_state_files_unchanged() {
    let mut cluster = Cluster::start().await;
    let id = cluster.register(b"something signed").await;
    cluster.anchored_receipt(&id, Duration::from_secs(30)).await;
    let state = cluster.dir(Role::Court).join("state");
    let snapshot = || {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&state)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().is_some_and(|n| n != "lock" && n != "listen-addr"))
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    };
    // Stop the server so nothing legitimate changes the state meanwhile; requests go to the
    // court witness process directly.
    drop(cluster.server.take());
    let before = snapshot();
    assert!(before.iter().any(|(n, _)| n == "state.json"), "{:?}", before.iter().map(|f| &f.0).collect::<Vec<_>>());

    let url = format!("http://{}/witness/v1/cosign", cluster.witness_addrs[0]);
    let header = BlockHeader {
        log: notarium::config::Settings::default().log_name,
        height: 0,
        prev: Hash::ZERO,
        root: Hash::ZERO,
        leaves: 0,
        sealed: notarium::domain::Timestamp::now(),
    }
    .text();
    let post = |body: String, token: Option<&str>| {
        let mut req = cluster.http.post(&url).header("content-type", "application/json").body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let many: Vec<String> = (0..1001).map(|_| header.clone()).collect();
    let cases = [
        (post(json!({"headers": [header]}).to_string(), None).await.unwrap(), 401),
        (post(json!({"headers": [header]}).to_string(), Some("wrong")).await.unwrap(), 401),
        (post(json!({"headers": ["notarium/block/v1\nnonsense\n"]}).to_string(), Some(TOKEN)).await.unwrap(), 422),
        (post(json!({ "headers": many }).to_string(), Some(TOKEN)).await.unwrap(), 413),
        (post(format!("{{\"headers\": [\"{}\"]}}", "x".repeat(10 << 20)), Some(TOKEN)).await.unwrap(), 413),
    ];
    for (i, (res, status)) in cases.into_iter().enumerate() {
        assert_eq!(res.status().as_u16(), status, "case {i}");
        assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json", "case {i}");
    }
    assert_eq!(snapshot(), before, "the witness state files are byte for byte unchanged");
}
