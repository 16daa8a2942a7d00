//! Load generator: `cargo run --release --example loadgen -- --url http://127.0.0.1:8080
//! --key ntk_… [--connections 64] [--seconds 10] [--batch N]`.
//!
//! Posts unique hashes (single records, or batches of N), reports accepted records/s, request
//! latency p50/p99/max, and the time from `201` to an anchored receipt for a sample of
//! records. A run with any failed request is not reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use notarium::domain::Hash;
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[path = "support/percentiles.rs"]
mod support;
use support::percentiles;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// An API key (e.g. the merchant's line of data/demo-keys.txt).
    #[arg(long)]
    key: String,
    #[arg(long, default_value_t = 64)]
    connections: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Records per request through /v1/evidence/batch; 0 posts single records.
    #[arg(long, default_value_t = 0)]
    batch: usize,
    /// Follow one record in this many to its anchored receipt.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    anchor_every: u64,
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
    let started = Instant::now();
    let mut tasks = Vec::new();
    let followers = Arc::new(Mutex::new(Vec::new()));
    for c in 0..args.connections {
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
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let body = body(&args, c, &mut n);
                let path = if args.batch > 0 { "/v1/evidence/batch" } else { "/v1/evidence" };
                let t = Instant::now();
                let res = http.post(format!("{}{path}", args.url)).bearer_auth(&args.key).json(&body).send().await;
                let elapsed = t.elapsed();
                let acked = Instant::now();
                match res {
                    Ok(r) if r.status() == 201 => {
                        let created: Value = r.json().await.unwrap_or(Value::Null);
                        let count = if args.batch > 0 { args.batch as u64 } else { 1 };
                        let total = records.fetch_add(count, Ordering::Relaxed) + count;
                        requests.fetch_add(1, Ordering::Relaxed);
                        tally.lock().await.latencies_us.push(elapsed.as_micros() as u64);
                        if total / args.anchor_every != (total - count) / args.anchor_every {
                            let id = if args.batch > 0 { &created["items"][0]["id"] } else { &created["id"] };
                            let id = id.as_str().unwrap_or_default().to_owned();
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
    println!(
        "connections {}  seconds {:.1}  mode {}",
        args.connections,
        elapsed,
        if args.batch > 0 { format!("batch of {}", args.batch) } else { "single".into() }
    );
    println!("accepted records/s {:.0}  requests/s {:.0}", records as f64 / elapsed, requests as f64 / elapsed);
    let lat = percentiles(&mut t.latencies_us);
    println!("latency ms p50 {:.2}  p99 {:.2}  max {:.2}", lat.0 / 1e3, lat.1 / 1e3, lat.2 / 1e3);
    let n = t.anchor_ms.len();
    let anc = percentiles(&mut t.anchor_ms);
    println!("201 -> anchored ms (n={n}) p50 {:.0}  p99 {:.0}  max {:.0}", anc.0, anc.1, anc.2);
    Ok(())
}

fn body(args: &Args, connection: usize, n: &mut u64) -> Value {
    let mut item = || {
        *n += 1;
        json!({"kind": "document", "content_hash": Hash::of(format!("{}/{connection}/{n}", std::process::id()).as_bytes())})
    };
    if args.batch > 0 { json!({ "items": (0..args.batch).map(|_| item()).collect::<Vec<_>>() }) } else { item() }
}

/// Polls the receipt with `?wait=` until it is anchored; records the time since the `201`.
async fn follow(args: Arc<Args>, http: reqwest::Client, id: String, acked: Instant, tally: Arc<Mutex<Tally>>) {
    for _ in 0..10 {
        let url = format!("{}/v1/evidence/{id}/receipt?wait=5", args.url);
        match http.get(url).bearer_auth(&args.key).send().await {
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
