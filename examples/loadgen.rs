//! Load generator: `cargo run --release --example loadgen -- --url http://127.0.0.1:8080
//! --key ntk_… [--connections 64] [--seconds 10] [--batch N | --images] [--no-follow]`.
//!
//! Posts unique hashes (single records, or batches of N), or registers pictures through
//! `POST /v1/images` (`--images`, a merchant's key: a 640 × 480 photo-like JPEG per connection,
//! made unique per request by bytes after its end marker). Reports accepted records/s, request
//! latency p50/p99/max, and the time from `201` to an anchored receipt for a sample of
//! records. A run with any failed request is not reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use notarium::domain::Hash;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tokio::sync::Mutex;

mod support;
use support::{Target, percentiles};

#[derive(Parser, Debug)]
struct Args {
    #[command(flatten)]
    target: Target,
    #[arg(long, default_value_t = 64)]
    connections: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Records per request through /v1/evidence/batch; 0 posts single records.
    #[arg(long, default_value_t = 0)]
    batch: usize,
    /// Registers pictures through /v1/images instead of posting hashes.
    #[arg(long, conflicts_with = "batch")]
    images: bool,
    /// Follow one record in this many to its anchored receipt.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    anchor_every: u64,
    /// Follow no record to its receipt (a server that does not anchor: examples/ceiling_http.rs).
    #[arg(long)]
    no_follow: bool,
}

/// What one connection sends.
enum Mode {
    Single,
    Batch(usize),
    /// The connection's picture; each request appends its own bytes after the end marker.
    Image(Vec<u8>),
}

impl Mode {
    fn new(args: &Args, connection: usize) -> Self {
        match (args.images, args.batch) {
            (true, _) => Self::Image(support::photo::photo_like(640, 480, connection as u64)),
            (false, 0) => Self::Single,
            (false, n) => Self::Batch(n),
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Single => "single".into(),
            Self::Batch(n) => format!("batch of {n}"),
            Self::Image(jpeg) => format!("images (640 × 480 JPEG, {} KB)", jpeg.len() / 1000),
        }
    }

    fn records(&self) -> u64 {
        if let Self::Batch(n) = self { *n as u64 } else { 1 }
    }

    /// The next request; `tag` is unique to it (and `n` counts the records sent).
    fn request(&self, http: &reqwest::Client, args: &Args, tag: &str, n: &mut u64) -> reqwest::RequestBuilder {
        let mut item = || {
            *n += 1;
            json!({"kind": "document", "content_hash": Hash::of(format!("{tag}/{n}").as_bytes())})
        };
        let post = |path: &str| args.target.request(http, reqwest::Method::POST, path);
        match self {
            Self::Single => post("/v1/evidence").json(&item()),
            Self::Batch(b) => {
                post("/v1/evidence/batch").json(&json!({ "items": (0..*b).map(|_| item()).collect::<Vec<_>>() }))
            }
            Self::Image(jpeg) => {
                *n += 1;
                let mut bytes = jpeg.clone();
                bytes.extend_from_slice(format!("{tag}/{n}").as_bytes());
                let form = Form::new()
                    .text("title", format!("Load {tag}/{n}"))
                    .part("file", Part::bytes(bytes).file_name("load.jpg"));
                post("/v1/images").multipart(form)
            }
        }
    }

    /// The id of the first record a `201` created.
    fn first_id(&self, created: &Value) -> String {
        let id = if let Self::Batch(_) = self { &created["items"][0]["id"] } else { &created["id"] };
        id.as_str().unwrap_or_default().to_owned()
    }
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    anchor_ms: Vec<u64>,
    failures: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Arc::new(Args::parse());
    let http = reqwest::Client::builder().pool_max_idle_per_host(args.connections).build()?;
    let stop = Arc::new(AtomicBool::new(false));
    let (records, requests) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut tasks = Vec::new();
    let followers = Arc::new(Mutex::new(Vec::new()));
    let modes: Vec<Mode> = (0..args.connections).map(|c| Mode::new(&args, c)).collect();
    let described = modes.first().map(Mode::describe).unwrap_or_default();
    let started = Instant::now();
    for (c, mode) in modes.into_iter().enumerate() {
        let (args, http, stop, records, requests, tally, followers) = (
            args.clone(),
            http.clone(),
            stop.clone(),
            records.clone(),
            requests.clone(),
            tally.clone(),
            followers.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let (tag, mut n) = (format!("{}/{c}", std::process::id()), 0u64);
            while !stop.load(Ordering::Relaxed) {
                let req = mode.request(&http, &args, &tag, &mut n);
                let t = Instant::now();
                let res = req.send().await;
                let elapsed = t.elapsed();
                let acked = Instant::now();
                match res {
                    Ok(r) if r.status() == 201 => {
                        let created: Value = r.json().await.unwrap_or(Value::Null);
                        let count = mode.records();
                        let total = records.fetch_add(count, Ordering::Relaxed) + count;
                        requests.fetch_add(1, Ordering::Relaxed);
                        tally.lock().await.latencies_us.push(elapsed.as_micros() as u64);
                        if !args.no_follow && total / args.anchor_every != (total - count) / args.anchor_every {
                            let id = mode.first_id(&created);
                            let follower = tokio::spawn(follow(args.clone(), http.clone(), id, acked, tally.clone()));
                            followers.lock().await.push(follower);
                        }
                    }
                    Ok(r) => tally.lock().await.failures.push(format!("HTTP {}", r.status())),
                    Err(e) => tally.lock().await.failures.push(e.to_string()),
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    // Every sampled receipt is waited for (each gives up after 50 s), so slow ones count too.
    for f in std::mem::take(&mut *followers.lock().await) {
        f.await?;
    }
    let mut t = tally.lock().await;
    if !t.failures.is_empty() {
        anyhow::bail!("{} requests failed (first: {}); not reporting this run", t.failures.len(), t.failures[0]);
    }
    let (records, requests) = (records.load(Ordering::Relaxed), requests.load(Ordering::Relaxed));
    println!("connections {}  seconds {elapsed:.1}  mode {described}", args.connections);
    println!("accepted records/s {:.0}  requests/s {:.0}", records as f64 / elapsed, requests as f64 / elapsed);
    let lat = percentiles(&mut t.latencies_us);
    println!("latency ms p50 {:.2}  p99 {:.2}  max {:.2}", lat.0 / 1e3, lat.1 / 1e3, lat.2 / 1e3);
    if args.no_follow {
        println!("201 -> anchored: not followed");
    } else {
        let n = t.anchor_ms.len();
        let anc = percentiles(&mut t.anchor_ms);
        println!("201 -> anchored ms (n={n}) p50 {:.0}  p99 {:.0}  max {:.0}", anc.0, anc.1, anc.2);
    }
    Ok(())
}

/// Polls the receipt with `?wait=` until it is anchored; records the time since the `201`.
async fn follow(args: Arc<Args>, http: reqwest::Client, id: String, acked: Instant, tally: Arc<Mutex<Tally>>) {
    for _ in 0..10 {
        let path = format!("/v1/evidence/{id}/receipt?wait=5");
        match args.target.request(&http, reqwest::Method::GET, &path).send().await {
            Ok(r) if r.status() == 200 => {
                tally.lock().await.anchor_ms.push(acked.elapsed().as_millis() as u64);
                return;
            }
            Ok(r) if r.status() == 202 => continue,
            Ok(r) => return tally.lock().await.failures.push(format!("receipt HTTP {}", r.status())),
            Err(e) => return tally.lock().await.failures.push(e.to_string()),
        }
    }
    tally.lock().await.failures.push(format!("{id} not anchored within 50 s"));
}
