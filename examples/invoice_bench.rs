//! Invoice benchmark: `cargo run --release --example invoice_bench -- --url http://127.0.0.1:8080
//! --hospital-key ntk_… --insurer-key ntk_… --merchant-key ntk_… [--issuer DEMO-HOSP]
//! [--connections 32] [--seconds 10] [--invoices 1000]`.
//!
//! Four phases of `--seconds` each, one after another against the same server:
//! 1. baseline: plain hash-only records (`POST /v1/evidence`, the merchant), the same-run ceiling
//!    of a request through the single writer;
//! 2. issue: unique invoices (`POST /v1/invoices`);
//! 3. claims spread over `--invoices` invoices issued beforehand (not timed);
//! 4. claims all on one hot invoice.
//!
//! Each claim is 0.01 of an invoice whose reimbursable amount cannot run out in the run. Reports
//! requests/s, latency p50/p99/max and the ratio to the baseline; a phase with any request that
//! did not get its expected status is not reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use notarium::domain::Hash;
use notarium::domain::canonical::canonical_json;
use serde_json::{Value, json};
use tokio::sync::Mutex;

mod support;
use support::percentiles;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    #[arg(long)]
    hospital_key: String,
    #[arg(long)]
    insurer_key: String,
    #[arg(long)]
    merchant_key: String,
    /// The hospital's issuer code.
    #[arg(long, default_value = "DEMO-HOSP")]
    issuer: String,
    #[arg(long, default_value_t = 32)]
    connections: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Invoices the spread claims go to.
    #[arg(long, default_value_t = 1000)]
    invoices: usize,
}

/// What one request of a phase is: method path, key, body.
type MakeRequest = dyn Fn(usize, u64) -> (String, String, Value) + Send + Sync;

struct Phase {
    per_second: f64,
    latency_ms: (f64, f64, f64),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Arc::new(Args::parse());
    let http = reqwest::Client::builder().pool_max_idle_per_host(args.connections).build()?;
    let run = std::process::id();

    let baseline = {
        let a = args.clone();
        phase(
            &args,
            &http,
            Arc::new(move |c, n| {
                let hash = Hash::of(format!("invoice-bench/{run}/{c}/{n}").as_bytes());
                ("/v1/evidence".into(), a.merchant_key.clone(), json!({ "kind": "document", "content_hash": hash }))
            }),
        )
        .await?
    };
    report("baseline: POST /v1/evidence", &baseline, &baseline);

    let issue = {
        let a = args.clone();
        phase(
            &args,
            &http,
            Arc::new(move |c, n| {
                let inv = invoice(&a.issuer, &format!("B{run}-{c}-{n}"));
                ("/v1/invoices".into(), a.hospital_key.clone(), inv)
            }),
        )
        .await?
    };
    report("issue: POST /v1/invoices", &issue, &baseline);

    for (name, count) in [("claims spread over many invoices", args.invoices), ("claims on one hot invoice", 1)] {
        let mut targets = Vec::with_capacity(count);
        for i in 0..count {
            let inv = invoice(&args.issuer, &format!("C{run}-{count}-{i}"));
            let res = http.post(format!("{}/v1/invoices", args.url)).bearer_auth(&args.hospital_key).json(&inv).send();
            anyhow::ensure!(res.await?.status() == 201, "issuing the invoices to claim failed");
            let path = format!("/v1/invoices/{}/330100-2026/C{run}-{count}-{i}/claims", args.issuer);
            targets.push((path, Hash::of(&canonical_json(&inv))));
        }
        let (a, targets) = (args.clone(), Arc::new(targets));
        let result = phase(&args, &http, Arc::new(move |c, n| {
            let (path, hash) = &targets[(c + n as usize * 7919) % targets.len()];
            let claim = json!({ "content_hash": hash, "amount": "0.01", "claim_reference": format!("{run}-{count}-{c}-{n}") });
            (path.clone(), a.insurer_key.clone(), claim)
        }))
        .await?;
        report(&format!("{name} ({count}): POST …/claims"), &result, &baseline);
    }
    Ok(())
}

/// An invoice whose 10,000,000.00 reimbursable amount no run claims away at 0.01 a claim.
fn invoice(issuer: &str, number: &str) -> Value {
    json!({
        "issuer": issuer, "invoice_code": "330100-2026", "invoice_number": number,
        "issue_date": "2026-11-21", "currency": "CNY",
        "payer": { "masked_id": "3301**********1234", "token": "bench-token-0123456789" },
        "encounter": { "type": "outpatient", "number": "V1", "start_date": "2026-11-21", "end_date": "2026-11-21" },
        "lines": [{ "category": "examination", "description": "Benchmark", "quantity": "1",
            "unit_price": "10000000.00", "amount": "10000000.00" }],
        "total": "10000000.00", "paid_by_fund": "0.00", "paid_by_personal_account": "0.00",
        "self_pay": "10000000.00", "reimbursable": "10000000.00"
    })
}

/// `--connections` tasks sending `make(connection, n)` for `--seconds`; every answer must be 201.
async fn phase(args: &Args, http: &reqwest::Client, make: Arc<MakeRequest>) -> anyhow::Result<Phase> {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.connections {
        let (http, url, make) = (http.clone(), args.url.clone(), make.clone());
        let (stop, done, latencies, failures) = (stop.clone(), done.clone(), latencies.clone(), failures.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let (path, key, body) = make(c, n);
                n += 1;
                let t = Instant::now();
                match http.post(format!("{url}{path}")).bearer_auth(key).json(&body).send().await {
                    Ok(r) if r.status() == 201 => {
                        let _ = r.bytes().await;
                        mine.push(t.elapsed().as_micros() as u64);
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) => failures.lock().await.push(format!(
                        "HTTP {} on {path}: {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    )),
                    Err(e) => failures.lock().await.push(e.to_string()),
                }
            }
            latencies.lock().await.extend(mine);
        }));
    }
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let failures = failures.lock().await;
    if let Some(first) = failures.first() {
        anyhow::bail!("{} requests failed (first: {first}); not reporting this run", failures.len());
    }
    let latency = percentiles(&mut latencies.lock().await);
    Ok(Phase {
        per_second: done.load(Ordering::Relaxed) as f64 / elapsed,
        latency_ms: (latency.0 / 1e3, latency.1 / 1e3, latency.2 / 1e3),
    })
}

fn report(name: &str, p: &Phase, baseline: &Phase) {
    println!(
        "{name}: {:.0}/s ({:.2}x baseline)  latency ms p50 {:.2}  p99 {:.2}  max {:.2}",
        p.per_second,
        p.per_second / baseline.per_second,
        p.latency_ms.0,
        p.latency_ms.1,
        p.latency_ms.2
    );
}
