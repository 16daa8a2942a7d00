//! Receipt fetch latency at scale: `cargo run --release --example receipt_sampler -- --url
//! http://127.0.0.1:8080 --key ntk_… [--samples 2000] [--pid PID]`.
//!
//! Picks records uniformly at random over everything the key's tenant registered (a random
//! `cursor` into `GET /v1/evidence?limit=1`, untimed), then times `GET
//! /v1/evidence/{id}/receipt` for each, one at a time; prints p50 / p99 / max, the number of
//! records, and with `--pid` the server's resident memory (now and peak). A sample that is not
//! a `200` receipt stops the run unreported.

use std::time::Instant;

use clap::Parser;
use serde_json::Value;

mod support;
use support::{Target, percentiles};

#[derive(Parser, Debug)]
struct Args {
    #[command(flatten)]
    target: Target,
    #[arg(long, default_value_t = 2000)]
    samples: usize,
    /// The server's process id, to report its resident memory.
    #[arg(long)]
    pid: Option<u32>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let http = reqwest::Client::new();
    let get = |path: String| args.target.request(&http, reqwest::Method::GET, &path).send();
    let newest: Value = get("/v1/evidence?limit=1".into()).await?.error_for_status()?.json().await?;
    let top = newest["items"][0]["id"].as_str().ok_or_else(|| anyhow::anyhow!("no records"))?.to_owned();
    // The newest record's cursor is its sequence number (+1 to include it).
    let page: Value = get("/v1/evidence?limit=2".into()).await?.json().await?;
    let max_seq: u64 = page["next_cursor"].as_str().and_then(|c| c.parse().ok()).map_or(1, |c: u64| c + 1);
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ u64::from(std::process::id());
    let mut latencies = Vec::with_capacity(args.samples);
    for _ in 0..args.samples {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let cursor = 1 + state % max_seq.max(1);
        let listed: Value = get(format!("/v1/evidence?limit=1&cursor={cursor}")).await?.json().await?;
        let id = listed["items"][0]["id"].as_str().unwrap_or(&top).to_owned();
        let started = Instant::now();
        let res = get(format!("/v1/evidence/{id}/receipt")).await?;
        let status = res.status();
        let body = res.bytes().await?;
        let took = started.elapsed();
        anyhow::ensure!(status == 200, "receipt of {id}: HTTP {status}; not reporting this run");
        anyhow::ensure!(body.starts_with(b"{"), "receipt of {id} is not JSON");
        latencies.push(took.as_micros() as u64);
    }
    let (p50, p99, max) = percentiles(&mut latencies);
    println!(
        "records ~{max_seq}  receipts {}  fetch ms p50 {:.2}  p99 {:.2}  max {:.2}",
        args.samples,
        p50 / 1e3,
        p99 / 1e3,
        max / 1e3
    );
    if let Some(pid) = args.pid {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("?")
                .to_owned()
        };
        println!("server RSS {} kB now, peak {} kB", field("VmRSS:"), field("VmHWM:"));
    }
    Ok(())
}
