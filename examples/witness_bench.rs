//! Witness benchmark, with witnesses as real `notarium witness` processes on loopback:
//!
//! 1. co-signing latency per request (p50/p99/max): one new header per request, over plain
//!    HTTP with a bearer token and over HTTPS with a client certificate (mTLS), and a full
//!    1,000-header catch-up page;
//! 2. with `--load`: `notarium serve` with a court and a notary witness process, driven by
//!    `loadgen` (its arguments follow `--`), which reports 201 → anchored.
//!
//! ```sh
//! cargo build --release --bin notarium --example loadgen --example witness_bench
//! target/release/examples/witness_bench --requests 2000
//! target/release/examples/witness_bench --requests 0 --load -- --connections 64 --seconds 10
//! ```

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use notarium::config::Settings;
use notarium::crypto::devpki::{TlsUsage, issue_tls, new_ca, write_dev_pki};
use notarium::domain::{BlockHeader, Hash, Role, Timestamp};
use notarium::witness::WitnessClient;
use notarium::witness::client::Credential;

mod support;
use support::percentiles;

#[derive(Parser, Debug)]
struct Args {
    /// Single-header co-signing requests per transport.
    #[arg(long, default_value_t = 2000)]
    requests: u64,
    /// 1,000-header pages to time.
    #[arg(long, default_value_t = 5)]
    pages: u64,
    /// Also run `notarium serve` with two witness processes under `loadgen`.
    #[arg(long)]
    load: bool,
    /// Arguments for loadgen (after `--`).
    #[arg(last = true)]
    loadgen: Vec<String>,
}

const TOKEN: &str = "witness-bench-operator-token";

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let bin = sibling_binary("notarium")?;
    let root = tempfile::tempdir()?;
    let pki = root.path().join("pki");
    write_dev_pki(&pki)?;
    let tls = write_tls(&root.path().join("tls"))?;
    println!("machine: {} cores, {}", std::thread::available_parallelism()?, cpu_model());

    if args.requests > 0 {
        for secure in [false, true] {
            let dir = root.path().join(if secure { "court-https" } else { "court-http" });
            let (_proc, addr) = start_witness(&bin, &pki, &tls, &dir, Role::Court, secure)?;
            let client = client(&addr, &tls, Role::Court, secure)?;
            // Baseline: the same round trip without signing or persisting (GET state).
            let mut baseline = Vec::new();
            for _ in 0..args.requests.min(1000) {
                let t = Instant::now();
                client.state().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                baseline.push(t.elapsed().as_micros() as u64);
            }
            let mut chain = Chain::default();
            let mut single = Vec::new();
            for _ in 0..args.requests {
                let header = chain.next(1);
                let t = Instant::now();
                client.cosign(&[header]).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                single.push(t.elapsed().as_micros() as u64);
            }
            let mut pages = Vec::new();
            for _ in 0..args.pages {
                let headers: Vec<String> = (0..1000).map(|_| chain.next(1)).collect();
                let t = Instant::now();
                client.cosign(&headers).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                pages.push(t.elapsed().as_micros() as u64);
            }
            let transport = if secure { "https + client certificate" } else { "http + bearer token" };
            let (p50, p99, max) = percentiles(&mut single);
            println!(
                "{transport}: 1 header/request (n={}) p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
                args.requests,
                p50 / 1e3,
                p99 / 1e3,
                max / 1e3
            );
            let (base50, base99, _) = percentiles(&mut baseline);
            println!(
                "{transport}: baseline GET state p50 {:.2} ms  p99 {:.2} ms  (co-signing p50 = {:.1}x)",
                base50 / 1e3,
                base99 / 1e3,
                p50 / base50
            );
            let (p50, _, max) = percentiles(&mut pages);
            println!(
                "{transport}: 1,000 headers/request (n={}) p50 {:.0} ms  max {:.0} ms",
                args.pages,
                p50 / 1e3,
                max / 1e3
            );
        }
    }
    if args.load {
        // Baseline in the same run: the default in-process witnesses (same HTTP code path).
        run_load(&bin, &root.path().join("in-process"), &pki, &tls, &args.loadgen, false)?;
        run_load(&bin, &root.path().join("processes"), &pki, &tls, &args.loadgen, true)?;
    }
    Ok(())
}

/// `notarium serve` with a court and a notary witness process (or, without `processes`,
/// in-process witnesses); loadgen against it.
fn run_load(
    bin: &Path,
    root: &Path,
    pki: &Path,
    tls: &Path,
    loadgen: &[String],
    processes: bool,
) -> anyhow::Result<()> {
    let mut procs = Vec::new();
    let mut witnesses = String::new();
    for role in [Role::Court, Role::Notary].into_iter().filter(|_| processes) {
        let (proc, addr) = start_witness(bin, pki, tls, &root.join(format!("load-{role}")), role, false)?;
        procs.push(proc);
        witnesses += &format!(
            "[[witnesses]]\nname = \"{role}\"\nrole = \"{role}\"\nurl = \"http://{addr}\"\ncredential = \"{TOKEN}\"\n"
        );
    }
    let data = root.join("data");
    std::fs::create_dir_all(&data)?;
    if processes {
        // The witnesses' CA is the server's trust anchor; it makes no PKI of its own.
        std::fs::create_dir_all(data.join("pki/trust"))?;
        std::fs::copy(pki.join("ca.pem"), data.join("pki/ca.pem"))?;
        std::fs::copy(pki.join("ca.pem"), data.join("pki/trust/ca.pem"))?;
    }
    let config = root.join("notarium.toml");
    std::fs::write(&config, witnesses)?;
    let mut serve = Command::new(bin);
    serve.args(["serve", "--listen", "127.0.0.1:0", "--config"]).arg(&config).arg("--data").arg(&data);
    let _server = spawn(serve, &root.join("server.log"))?;
    let addr = wait_for_file(&data.join("listen-addr"))?;
    let keys = std::fs::read_to_string(data.join("demo-keys.txt"))?;
    let key = keys.lines().find_map(|l| l.strip_prefix("merchant")?.split_whitespace().nth(1)).context("no key")?;
    let witnesses = if processes { "court and notary witness processes" } else { "in-process witnesses" };
    println!("notarium serve at {addr} with {witnesses}");
    let status = Command::new(sibling_binary("examples/loadgen")?)
        .args(["--url", &format!("http://{addr}"), "--key", key])
        .args(loadgen)
        .status()?;
    if !status.success() {
        bail!("loadgen failed");
    }
    Ok(())
}

/// A witness process for `role` in `dir`, over HTTPS with a pinned client certificate when
/// `secure`, else HTTP with a token; returns it and its address.
fn start_witness(
    bin: &Path,
    pki: &Path,
    tls: &Path,
    dir: &Path,
    role: Role,
    secure: bool,
) -> anyhow::Result<(Proc, String)> {
    std::fs::create_dir_all(dir)?;
    let (https, operator) = if secure {
        (
            format!("tls = {{ cert = {:?}, key = {:?} }}\n", tls.join("server.pem"), tls.join("server.key")),
            format!("client_cert = {:?}", tls.join("operator.pem")),
        )
    } else {
        (String::new(), format!("token = \"{TOKEN}\""))
    };
    let config = dir.join("witness.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\nname = \"{role}\"\nrole = \"{role}\"\nkey = {:?}\ncerts = {:?}\nstate = {:?}\n{https}operators = [{{ name = \"bench\", {operator} }}]\n",
            pki.join(format!("{role}.key")),
            pki.join(format!("{role}.pem")),
            dir.join("state"),
        ),
    )?;
    let mut witness = Command::new(bin);
    witness.args(["witness", "--config"]).arg(&config);
    let proc = spawn(witness, &dir.join("witness.log"))?;
    let addr = wait_for_file(&dir.join("state/listen-addr"))?;
    Ok((proc, addr))
}

/// Starts `cmd` with warnings only, its stderr to `log`.
fn spawn(mut cmd: Command, log: &Path) -> anyhow::Result<Proc> {
    let log = std::fs::File::create(log)?;
    Ok(Proc(cmd.env("RUST_LOG", "warn").stdout(Stdio::null()).stderr(log).spawn()?))
}

fn client(addr: &str, tls: &Path, role: Role, secure: bool) -> anyhow::Result<WitnessClient> {
    let name = role.as_str().parse()?;
    let timeout = Duration::from_secs(30);
    if !secure {
        return WitnessClient::new(name, role, &format!("http://{addr}"), TOKEN, timeout);
    }
    let credential = Credential::Certificate {
        cert_pem: std::fs::read(tls.join("operator.pem"))?,
        key_pem: std::fs::read(tls.join("operator.key"))?,
    };
    let ca = std::fs::read(tls.join("ca.pem"))?;
    WitnessClient::connect(name, role, &format!("https://{addr}"), credential, Some(&ca), timeout)
}

/// Builds a valid chain of headers of the default log, sealed now.
#[derive(Default)]
struct Chain {
    next_height: u64,
    prev: Option<Hash>,
}

impl Chain {
    fn next(&mut self, leaves: u64) -> String {
        let header = BlockHeader {
            log: Settings::default().log_name,
            height: self.next_height,
            prev: self.prev.unwrap_or(Hash::ZERO),
            root: Hash::of(&self.next_height.to_le_bytes()),
            leaves,
            sealed: Timestamp::now(),
        };
        self.next_height += 1;
        self.prev = Some(header.block_hash());
        header.text()
    }
}

/// A TLS CA, the witness's HTTPS certificate for 127.0.0.1 and the operator's client
/// certificate.
fn write_tls(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let ca = new_ca("Bench TLS CA", 2)?;
    std::fs::write(dir.join("ca.pem"), ca.cert.to_pem()?)?;
    for (name, usage) in [("server", TlsUsage::Server(&["127.0.0.1"])), ("operator", TlsUsage::Client)] {
        let pair = issue_tls(&ca, name, usage, 2)?;
        std::fs::write(dir.join(format!("{name}.pem")), pair.cert.to_pem()?)?;
        std::fs::write(dir.join(format!("{name}.key")), pair.key.private_key_to_pem_pkcs8()?)?;
    }
    Ok(dir.to_owned())
}

/// A binary of the same build: `target/<profile>/<name>` next to `target/<profile>/examples/`.
fn sibling_binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let profile = exe.parent().and_then(Path::parent).context("no target directory")?;
    let path = profile.join(name);
    if !path.exists() {
        bail!("{} is missing: cargo build --release --bin notarium --example loadgen", path.display());
    }
    Ok(path)
}

fn wait_for_file(path: &Path) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return Ok(text);
        }
        if Instant::now() > deadline {
            bail!("{} did not appear", path.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find_map(|l| l.strip_prefix("model name")?.split(':').nth(1))
        .unwrap_or("unknown CPU")
        .trim()
        .to_owned()
}
