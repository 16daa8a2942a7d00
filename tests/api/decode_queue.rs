//! The picture decode queue seen from the API: an anonymous search larger than
//! `max_search_pixels` is scaled down and answered, and the queue's refusals (`429 decode_busy`
//! for a client over its waiting allowance, `503 decode_queue_full`) come from a queue whose
//! slots the test holds itself, so nothing depends on timing.

use std::net::{IpAddr, Ipv4Addr};

use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageFormat};
use notarium::domain::TenantRole;
use notarium::images::analyse::{Client, DecodeQueue};
use notarium::images::queue::{Queue, QueueLimits};
use serde_json::Value;

use crate::pictures::{encode, picture, register, search};
use crate::support::{TestApp, problem};

#[tokio::test]
async fn a_search_over_max_search_pixels_is_scaled_down_and_still_finds_the_registration() {
    let app = TestApp::spawn_with(|s| s.max_search_pixels = 40_000).await;
    let key = app.key(TenantRole::Merchant).to_owned();
    // Registrations are not scaled: a 600 × 400 picture (240,000 pixels).
    let photo = picture(31, 600, 400);
    let record =
        register(&app, &key, encode(&DynamicImage::ImageRgb8(photo.clone()), ImageFormat::Jpeg), "Lake", false).await;
    // A copy at 1200 × 800 (960,000 pixels, 24 times the setting), re-encoded as PNG: not
    // refused, decoded and scaled down to at most 40,000 pixels, and found by its fingerprints.
    let large = imageops::resize(&photo, 1200, 800, FilterType::Triangle);
    let res = search(&app, encode(&DynamicImage::ImageRgb8(large), ImageFormat::Png)).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["fingerprinted"], true, "{body}");
    assert_eq!(body["matches"][0]["id"], record.id.to_string(), "{body}");
    assert_eq!(body["matches"][0]["identical"], false);
    assert!(body["matches"][0]["distance"].as_u64().unwrap() <= 40, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn the_decode_queue_refuses_a_client_over_its_allowance_429_and_a_full_queue_503() {
    // Two decoders, one per client, one job waiting per client and one in all.
    let limits = QueueLimits { decoders: 2, per_client: 1, waiting: 1, waiting_per_client: 1, budget_mib: 320 };
    let queue: DecodeQueue = Queue::new(limits);
    let app = TestApp::spawn_with(|s| s.decode_queue = Some(queue.clone())).await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let me = Client::Address(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let other = |last: u8| Client::Address(IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)));
    let query = || encode(&DynamicImage::ImageRgb8(picture(32, 300, 200)), ImageFormat::Jpeg);

    // This address decodes (its share), and one more of its pictures waits: a third is refused.
    let decoding = queue.admit(me, 1).unwrap().await;
    let waiting = queue.admit(me, 1).unwrap();
    let res = search(&app, query()).await;
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(problem(res).await, (429, "decode_busy".to_owned()));
    // Another client is not held back: a merchant's registration takes the other decoder.
    register(&app, &key, query(), "Dune", false).await;

    // Both decoders busy and one job of another client waiting: the queue is full.
    drop(waiting);
    let second = queue.admit(other(1), 1).unwrap().await;
    let queued = queue.admit(other(2), 1).unwrap();
    let res = search(&app, query()).await;
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(problem(res).await, (503, "decode_queue_full".to_owned()));

    // Once the slots are given back, the same search is answered, and nothing is left held.
    drop((decoding, second, queued));
    assert_eq!(search(&app, query()).await.status(), 200);
    assert_eq!(queue.totals(), (0, 0, 320));
    app.stop().await;
}
