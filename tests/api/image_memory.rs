//! The real binary's peak memory while it refuses the bad files of the images issue at full
//! size (30 MiB of noise, headers declaring huge pictures, truncated data), four registrations
//! and four searches of each at once, and decodes a 100-megapixel decompression bomb that is within the limits.

use std::time::Duration;

use image::{DynamicImage, GrayImage, ImageFormat};
use serde_json::Value;

use crate::images::bad_files;
use crate::pictures::{encode, form};
use crate::support::real_server::{RealServer, create_tenant};

/// The ceiling for the server's peak resident memory during bad uploads.
const MAX_PEAK_RSS_MIB: u64 = 512;

fn peak_rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/<pid>/status");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024
}

#[tokio::test]
async fn bad_files_at_full_size_keep_peak_memory_under_512_mib() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = create_tenant(&data, "Photo shop", "merchant", None);
    // Four 30 MiB uploads at once are over the default byte quotas: lift them.
    let quota = [(
        "NOTARIUM_RATE_LIMITS",
        "{ merchant = { bytes_per_second = 0 }, anonymous_per_ip = { bytes_per_second = 0, requests_per_second = 0 } }",
    )];
    let server = RealServer::start_with(dir.path(), &data, &quota).await;
    // A fresh connection per request: actix closes a connection whose request body was not read
    // to its end (a refused upload), without saying so, and a POST on such a reused connection
    // fails with a broken pipe instead of getting its answer (docs/architecture.md, left for later).
    let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).pool_max_idle_per_host(0).build().unwrap();
    let post = |bytes: Vec<u8>, name: &'static str| {
        let req = http.post(format!("{}/v1/images", server.base)).bearer_auth(&key);
        req.multipart(form(bytes, name, &[])).send()
    };
    let started = peak_rss_mib(server.pid());

    // The same files to the anonymous search, which reads them into memory.
    let search = |bytes: Vec<u8>, name: &'static str| {
        http.post(format!("{}/v1/images/search", server.base)).multipart(form(bytes, name, &[])).send()
    };
    for (name, bytes, status, code) in bad_files(30 << 20) {
        let registrations = futures_util::future::join_all((0..4).map(|_| post(bytes.clone(), name)));
        let searches = futures_util::future::join_all((0..4).map(|_| search(bytes.clone(), name)));
        let (registrations, searches) = futures_util::future::join(registrations, searches).await;
        for res in registrations.into_iter().chain(searches) {
            let res = res.unwrap();
            assert_eq!(res.status().as_u16(), status, "{name}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["code"], code, "{name}");
        }
    }
    let after_bad = peak_rss_mib(server.pid());

    // 10,000 × 10,000 grey pixels compress to a few hundred KiB and decode to 100 MB.
    let bomb =
        encode(&DynamicImage::ImageLuma8(GrayImage::from_pixel(10_000, 10_000, image::Luma([90]))), ImageFormat::Png);
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    let answers = futures_util::future::join_all((0..2).map(|_| post(bomb.clone(), "bomb.png"))).await;
    for res in answers {
        assert_eq!(res.unwrap().status(), 201);
    }
    let after_bomb = peak_rss_mib(server.pid());
    println!(
        "peak RSS: {started} MiB at start, {after_bad} MiB after the bad files, {after_bomb} MiB after two 100 MP bombs"
    );
    assert!(after_bad < MAX_PEAK_RSS_MIB, "peak RSS {after_bad} MiB during the bad files");
    assert!(after_bomb < MAX_PEAK_RSS_MIB, "peak RSS {after_bomb} MiB with the bombs");
    server.stop().await;
}
