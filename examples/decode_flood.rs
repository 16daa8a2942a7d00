//! The decode flood of issue 23, repeated: `cargo run --release --example decode_flood --
//! --bin before=/work/bin/notarium-73bd4ba --bin after=target/release/notarium [--runs 5]
//! [--bombs 30]`.
//!
//! For each binary (in turn, a fresh data directory each, `notarium serve` on port 0 with the
//! anonymous per-address quota lifted so that only the decoding is measured): `runs` times,
//! an honest search alone (a 2-megapixel photo-like JPEG from 127.0.0.2), then `bombs`
//! concurrent searches of a 100-megapixel decompression bomb (a 10,000 × 10,000 grey PNG of
//! a few hundred KiB) from 127.0.0.1 and, 500 ms later, the same honest search from 127.0.0.2.
//! Printed per binary: the honest search's median latency alone and under the flood, the
//! delay (the difference of the medians), the bombs' answers by status, and the server's peak
//! resident memory (`VmHWM` of /proc/<pid>/status) over all its runs.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::{Duration, Instant};

use clap::Parser;
use image::{DynamicImage, GrayImage, ImageFormat, Luma};
use reqwest::multipart::{Form, Part};

mod support;
use support::photo::photo_like;
use support::server::Server;

#[derive(Parser, Debug)]
struct Args {
    /// `name=path` of a `notarium` binary; repeat to compare.
    #[arg(long = "bin", required = true)]
    bins: Vec<String>,
    #[arg(long, default_value_t = 5)]
    runs: usize,
    #[arg(long, default_value_t = 30)]
    bombs: usize,
}

struct Figures {
    alone: Vec<f64>,
    flooded: Vec<f64>,
    bombs: BTreeMap<u16, usize>,
    peak_mib: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut bomb = Vec::new();
    DynamicImage::ImageLuma8(GrayImage::from_pixel(10_000, 10_000, Luma([90])))
        .write_to(&mut Cursor::new(&mut bomb), ImageFormat::Png)?;
    let honest = photo_like(1600, 1200, 7);
    println!(
        "bomb: 10000 × 10000 grey PNG, {} KiB; honest: 1600 × 1200 JPEG, {} KiB; {} bombs, {} runs per binary",
        bomb.len() >> 10,
        honest.len() >> 10,
        args.bombs,
        args.runs
    );
    for named in &args.bins {
        let (name, path) = named.split_once('=').ok_or_else(|| anyhow::anyhow!("--bin name=path, not {named}"))?;
        let f = run_binary(Path::new(path), &args, &bomb, &honest).await?;
        let (alone, flooded) = (median(f.alone.clone()), median(f.flooded.clone()));
        println!(
            "{name}: honest search alone {alone:.3} s, under the flood {flooded:.3} s (runs {:?}), delay {:.3} s; \
             bombs answered {:?}; peak RSS {} MiB",
            f.flooded.iter().map(|s| format!("{s:.2}")).collect::<Vec<_>>(),
            flooded - alone,
            f.bombs,
            f.peak_mib
        );
    }
    Ok(())
}

async fn run_binary(bin: &Path, args: &Args, bomb: &[u8], honest: &[u8]) -> anyhow::Result<Figures> {
    let dir = tempfile::tempdir()?;
    let mut server = Server::start(bin, dir.path(), &[]).await?;
    let attacker = client(Ipv4Addr::new(127, 0, 0, 1))?;
    let visitor = client(Ipv4Addr::new(127, 0, 0, 2))?;
    let url = format!("{}/v1/images/search", server.base);
    let search = |http: &reqwest::Client, bytes: &[u8]| {
        let form = Form::new().part("file", Part::bytes(bytes.to_vec()).file_name("q.png"));
        let req = http.post(&url).multipart(form);
        async move {
            let started = Instant::now();
            let res = req.send().await?;
            let status = res.status().as_u16();
            res.bytes().await?;
            anyhow::Ok((status, started.elapsed().as_secs_f64()))
        }
    };
    let mut f = Figures { alone: Vec::new(), flooded: Vec::new(), bombs: BTreeMap::new(), peak_mib: 0 };
    for _ in 0..args.runs {
        let (status, took) = search(&visitor, honest).await?;
        anyhow::ensure!(status == 200, "the honest search alone answered {status}");
        f.alone.push(took);
        let flood = futures_util::future::join_all((0..args.bombs).map(|_| search(&attacker, bomb)));
        let late = async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            search(&visitor, honest).await
        };
        let (answers, late) = tokio::join!(flood, late);
        let (status, took) = late?;
        anyhow::ensure!(status == 200, "the honest search under the flood answered {status}");
        f.flooded.push(took);
        for answer in answers {
            *f.bombs.entry(answer?.0).or_default() += 1;
        }
    }
    f.peak_mib = server.peak_rss_mib()?;
    server.stop();
    Ok(f)
}

fn client(from: Ipv4Addr) -> anyhow::Result<reqwest::Client> {
    let http = reqwest::Client::builder().local_address(IpAddr::V4(from)).timeout(Duration::from_secs(600));
    Ok(http.pool_max_idle_per_host(0).build()?)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
