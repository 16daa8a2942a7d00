//! Image registration benchmark: `cargo run --release --example image_bench -- --url
//! http://127.0.0.1:8080 --key ntk_… (a merchant) [--count 20] [--width 4000] [--height 3000]`.
//!
//! One picture of `width × height` (default 12 megapixels) with photo-like detail and noise,
//! encoded as JPEG quality 90; each request sends it with different trailing bytes after its
//! end marker, so every registration has its own content hash and the same pixels.
//! 1. baseline, same run: the same file through `POST /v1/evidence` (multipart: received and
//!    hashed while it arrives, kept, committed; never decoded);
//! 2. `POST /v1/images`, one request at a time: latency p50 / p99 / max;
//! 3. each step's share of a registration, from the server's `notarium_image_step_seconds`
//!    (receive and hash, read, decode, fingerprints, thumbnail, store_file, commit);
//! 4. BLAKE3 + SHA-256 of the file in this process, for the hashing part of `receive`.
//!
//! Any request without its expected `201` stops the run unreported.

use std::collections::BTreeMap;
use std::time::Instant;

use clap::Parser;
use reqwest::multipart::{Form, Part};

mod support;
use support::photo::photo_like;
use support::{Target, percentiles};

#[derive(Parser, Debug)]
struct Args {
    /// A merchant's API key.
    #[command(flatten)]
    target: Target,
    #[arg(long, default_value_t = 20)]
    count: usize,
    #[arg(long, default_value_t = 4000)]
    width: u32,
    #[arg(long, default_value_t = 3000)]
    height: u32,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let jpeg = photo_like(args.width, args.height, 0);
    println!(
        "picture: {} × {} ({:.1} MP), JPEG {:.2} MB; {} requests per phase, one at a time",
        args.width,
        args.height,
        f64::from(args.width) * f64::from(args.height) / 1e6,
        jpeg.len() as f64 / 1e6,
        args.count
    );
    let http = reqwest::Client::new();
    let post = |path: &'static str, n: usize, fields: &'static [(&'static str, &'static str)]| {
        let mut bytes = jpeg.clone();
        bytes.extend(format!("run {n} {:?}", Instant::now()).as_bytes());
        let mut form = Form::new().part("file", Part::bytes(bytes).file_name("photo.jpg"));
        for (k, v) in fields {
            form = form.text(*k, *v);
        }
        let req = args.target.request(&http, reqwest::Method::POST, path).multipart(form);
        async move {
            let started = Instant::now();
            let res = req.send().await?;
            let status = res.status();
            let body = res.text().await?;
            anyhow::ensure!(status == 201, "{path}: HTTP {status}: {body}");
            Ok::<u64, anyhow::Error>(started.elapsed().as_micros() as u64)
        }
    };

    let mut baseline = Vec::new();
    for n in 0..args.count {
        baseline.push(post("/v1/evidence", n, &[("kind", "image")]).await?);
    }
    let before = steps(&http, &args.target.url).await?;
    let mut registrations = Vec::new();
    for n in 0..args.count {
        registrations.push(post("/v1/images", n, &[("title", "Benchmark photo")]).await?);
    }
    let after = steps(&http, &args.target.url).await?;

    let hash_started = Instant::now();
    let rounds = 5;
    for _ in 0..rounds {
        std::hint::black_box(blake3::hash(&jpeg));
        std::hint::black_box(openssl::sha::sha256(&jpeg));
    }
    let hash_ms = hash_started.elapsed().as_secs_f64() * 1e3 / f64::from(rounds);

    let (b50, b99, bmax) = percentiles(&mut baseline);
    let (r50, r99, rmax) = percentiles(&mut registrations);
    println!(
        "baseline POST /v1/evidence (upload, no decode): p50 {:.1} ms  p99 {:.1}  max {:.1}",
        b50 / 1e3,
        b99 / 1e3,
        bmax / 1e3
    );
    println!(
        "POST /v1/images:                                p50 {:.1} ms  p99 {:.1}  max {:.1}  ({:.2}× the baseline's p50)",
        r50 / 1e3,
        r99 / 1e3,
        rmax / 1e3,
        r50 / b50
    );
    let mut shares: Vec<(String, f64)> = after
        .iter()
        .map(|(step, (sum, count))| {
            let (sum0, count0) = before.get(step).copied().unwrap_or((0.0, 0.0));
            let n = (count - count0).max(1.0);
            (step.clone(), (sum - sum0) / n * 1e3)
        })
        .collect();
    let total: f64 = shares.iter().map(|(_, ms)| ms).sum();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("steps inside the server (mean per registration, {total:.1} ms in all):");
    for (step, ms) in shares {
        println!("  {step:<13} {ms:>8.1} ms  {:>5.1} %", ms / total * 100.0);
    }
    println!("BLAKE3 + SHA-256 of the file in this process: {hash_ms:.1} ms (part of `receive`)");
    Ok(())
}

/// `step → (seconds summed, count)` of `notarium_image_step_seconds` at `/metrics`.
async fn steps(http: &reqwest::Client, url: &str) -> anyhow::Result<BTreeMap<String, (f64, f64)>> {
    let text = http.get(format!("{url}/metrics")).send().await?.error_for_status()?.text().await?;
    let mut out: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("notarium_image_step_seconds_") else { continue };
        let (what, rest) = rest.split_once("{step=\"").unwrap_or(("", ""));
        let Some((step, value)) = rest.split_once("\"} ") else { continue };
        let value: f64 = value.trim().parse()?;
        let entry = out.entry(step.to_owned()).or_default();
        match what {
            "sum" => entry.0 = value,
            "count" => entry.1 = value,
            _ => {}
        }
    }
    Ok(out)
}
