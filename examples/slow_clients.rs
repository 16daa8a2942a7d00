//! The slow-client run of issue 23, repeated: `cargo run --release --example slow_clients --
//! --bin after=target/release/notarium [--bin before=...] [--connections 1000] [--seconds 120]`
//! (raise `ulimit -n` above twice the connections).
//!
//! For each binary (a fresh data directory, `notarium serve` on port 0 with its default
//! timeouts): `connections` TCP connections that send one byte a second, half of them inside
//! the request headers and half inside the body of an anonymous picture search that declares
//! 1 MB, while an honest `GET /healthz` on a fresh connection is timed every 500 ms (and for
//! 10 s alone before, the baseline). A
//! connection lasts until the server closes it or the run's `seconds` are over. Printed per
//! binary and kind: how long connections lasted (median and longest), how many were still
//! open at the end, what the server answered (its status line, or nothing), the honest
//! request's median and slowest latency, and the server's peak resident memory.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod support;
use support::server::Server;

#[derive(Parser, Debug)]
struct Args {
    /// `name=path` of a `notarium` binary; repeat to compare.
    #[arg(long = "bin", required = true)]
    bins: Vec<String>,
    #[arg(long, default_value_t = 1000)]
    connections: usize,
    /// How long a run lasts; a connection still open then is counted as open.
    #[arg(long, default_value_t = 120)]
    seconds: u64,
}

const HEADERS: &str = "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ";
const BODY: &str = "POST /v1/images/search HTTP/1.1\r\nHost: a\r\n\
    Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000000\r\n\r\n--b\r\n";

/// One dribbling connection: how long it lasted, and the first line the server sent (empty
/// when it closed without a word), or `None` when it was still open at `until`.
async fn dribble(addr: String, head: &'static str, until: Instant) -> anyhow::Result<(Duration, Option<String>)> {
    let started = Instant::now();
    let stream = TcpStream::connect(&addr).await?;
    let (mut read, mut write) = stream.into_split();
    write.write_all(head.as_bytes()).await?;
    let writer = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if write.write_all(b"x").await.is_err() {
                return;
            }
        }
    });
    let mut answer = Vec::new();
    let closed = tokio::time::timeout_at(until.into(), async {
        let mut buf = [0u8; 1024];
        while let Ok(n @ 1..) = read.read(&mut buf).await {
            answer.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    writer.abort();
    let first_line = String::from_utf8_lossy(&answer).lines().next().unwrap_or("").to_owned();
    Ok((started.elapsed(), closed.ok().map(|()| first_line)))
}

#[derive(Default)]
struct Kind {
    lasted: Vec<f64>,
    still_open: usize,
    answers: BTreeMap<String, usize>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    println!(
        "{} slow connections per binary (half in headers, half in a body), {} s each",
        args.connections, args.seconds
    );
    for named in &args.bins {
        let (name, path) = named.split_once('=').ok_or_else(|| anyhow::anyhow!("--bin name=path, not {named}"))?;
        run_binary(name, Path::new(path), &args).await?;
    }
    Ok(())
}

async fn run_binary(name: &str, bin: &Path, args: &Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut server = Server::start(bin, dir.path(), &[]).await?;
    let (mut alone, _) = probe(format!("{}/healthz", server.base), Instant::now() + Duration::from_secs(10)).await?;
    let until = Instant::now() + Duration::from_secs(args.seconds);
    let slow: Vec<_> = (0..args.connections)
        .map(|i| {
            let head = if i % 2 == 0 { HEADERS } else { BODY };
            (head, tokio::spawn(dribble(server.addr().to_owned(), head, until)))
        })
        .collect();
    let honest = tokio::spawn(probe(format!("{}/healthz", server.base), until));
    let mut kinds: BTreeMap<&str, Kind> = BTreeMap::new();
    for (head, task) in slow {
        let kind = kinds.entry(if head == HEADERS { "headers" } else { "body" }).or_default();
        match task.await? {
            Ok((lasted, Some(line))) => {
                kind.lasted.push(lasted.as_secs_f64());
                let line = if line.is_empty() { "(closed without an answer)".to_owned() } else { line };
                *kind.answers.entry(line).or_default() += 1;
            }
            Ok((_, None)) => kind.still_open += 1,
            Err(e) => *kind.answers.entry(format!("connect failed: {e}")).or_default() += 1,
        }
    }
    let (mut took, failed) = honest.await??;
    for (kind, k) in &mut kinds {
        let mut lasted = std::mem::take(&mut k.lasted);
        lasted.sort_by(f64::total_cmp);
        println!(
            "{name} {kind}: closed by the server after median {:.1} s, longest {:.1} s; still open after {} s: {}; answers {:?}",
            median(&lasted),
            lasted.last().copied().unwrap_or(0.0),
            args.seconds,
            k.still_open,
            k.answers
        );
    }
    took.sort_by(f64::total_cmp);
    alone.sort_by(f64::total_cmp);
    println!(
        "{name}: honest GET /healthz alone median {:.1} ms; beside the slow connections median {:.1} ms, \
         slowest {:.1} ms, failed {failed} of {}; peak RSS {} MiB",
        median(&alone),
        median(&took),
        took.last().copied().unwrap_or(0.0),
        took.len() + failed,
        server.peak_rss_mib()?
    );
    server.stop();
    Ok(())
}

/// An honest `GET` on a fresh connection every 500 ms until `until`: the latencies of those
/// answered with success (ms), and how many were not.
async fn probe(url: String, until: Instant) -> anyhow::Result<(Vec<f64>, usize)> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(30)).build()?;
    let (mut took, mut failed) = (Vec::new(), 0);
    while Instant::now() < until {
        let started = Instant::now();
        match http.get(&url).send().await {
            Ok(r) if r.status().is_success() => took.push(started.elapsed().as_secs_f64() * 1000.0),
            _ => failed += 1,
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok((took, failed))
}

fn median(sorted: &[f64]) -> f64 {
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}
