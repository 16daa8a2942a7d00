//! Requests the witness must refuse, leaving its state exactly as it was.

use notarium::domain::{BlockHeader, Hash};
use notarium::witness::CosignError;

use crate::fixtures::{Chain, TOKEN, TestWitness, forged, now_plus};

/// A witness that signed heights 0..5 of `Chain::of(5)`.
async fn witness_at_4() -> (TestWitness, Chain) {
    let w = TestWitness::start().await;
    let chain = Chain::of(5);
    assert_eq!(w.cosign_heights(&chain.texts(0..5)).await, [0, 1, 2, 3, 4]);
    (w, chain)
}

#[tokio::test]
async fn another_header_at_a_signed_height_is_a_fork_and_changes_nothing() {
    let (w, chain) = witness_at_4().await;
    let before = w.state().await;
    let at_last = forged(&chain.headers[4]).text();
    let at_older = forged(&chain.headers[2]).text();
    let after_good_ones = [chain.texts(0..3), vec![forged(&chain.headers[3]).text()]].concat();
    for headers in [vec![at_last], vec![at_older], after_good_ones] {
        match w.client.cosign(&headers).await {
            Err(CosignError::Refused { status: 409, code, last_signed_height, last_signed_hash, .. }) => {
                assert_eq!(code, "fork");
                assert_eq!((last_signed_height, last_signed_hash), (Some(4), Some(chain.hash(4))));
            }
            other => panic!("expected 409 fork, got {other:?}"),
        }
        assert_eq!(w.state().await, before);
    }

    // The raw body names the header and the tip.
    let raw =
        w.post_raw(serde_json::json!({"headers": [forged(&chain.headers[1]).text()]}).to_string(), Some(TOKEN)).await;
    assert_eq!(raw.content_type, "application/problem+json");
    assert_eq!(raw.body["code"], "fork");
    assert_eq!(raw.body["index"], 0);
    assert_eq!(raw.body["last_signed_height"], 4);
    assert_eq!(raw.body["last_signed_hash"], chain.hash(4).to_string());

    // The honest chain goes on.
    let mut chain = chain;
    chain.push_now();
    assert_eq!(w.cosign_heights(&chain.texts(5..6)).await, [5]);
}

#[tokio::test]
async fn gaps_broken_links_and_time_going_backwards_are_refused() {
    let fresh = TestWitness::start().await;
    let chain = Chain::of(3);
    assert_eq!(fresh.refusal(&chain.texts(1..3)).await, (409, "gap".into(), None));
    assert_eq!(fresh.state().await.last_signed_height, None);

    let (w, chain) = witness_at_4().await;
    let before = w.state().await;
    let mut ahead = chain.clone();
    ahead.push_now();
    ahead.push_now();
    assert_eq!(w.refusal(&ahead.texts(6..7)).await, (409, "gap".into(), Some(4)));

    let elsewhere = BlockHeader { prev: Hash::of(b"another chain"), ..ahead.headers[5].clone() };
    assert_eq!(w.refusal(&[elsewhere.text()]).await, (409, "fork".into(), Some(4)));

    let mut backwards = chain.clone();
    backwards.push_at(now_plus(-60_000));
    assert_eq!(w.refusal(&backwards.texts(5..6)).await, (409, "sealed_backwards".into(), Some(4)));

    let mut inner = chain.clone();
    inner.push_now();
    inner.push_at(now_plus(-30_000));
    inner.push_now();
    assert_eq!(w.refusal(&inner.texts(5..8)).await, (409, "sealed_backwards".into(), Some(4)));

    assert_eq!(w.state().await, before);
    assert_eq!(w.cosign_heights(&ahead.texts(5..7)).await, [5, 6]);
}

#[tokio::test]
async fn only_the_newest_header_is_held_to_the_clock() {
    const HOUR: i64 = 3_600_000;
    let w = TestWitness::start().await;
    let mut old = Chain::of(0);
    old.push_at(now_plus(-2 * HOUR));
    old.push_at(now_plus(-HOUR));
    let mut future = Chain::of(1);
    future.push_at(now_plus(HOUR));
    for (what, headers) in [("an hour ago", old.texts(0..2)), ("in an hour", future.texts(0..2))] {
        let raw = w.post_raw(serde_json::json!({"headers": headers}).to_string(), Some(TOKEN)).await;
        assert_eq!((raw.status, raw.body["code"].as_str()), (422, Some("clock_skew")), "{what}: {}", raw.body);
        assert_eq!(w.state().await.last_signed_height, None, "{what}");
    }

    // The same backlog with a fresh newest header: only the newest is clock-checked.
    old.push_now();
    assert_eq!(w.cosign_heights(&old.texts(0..3)).await, [0, 1, 2]);

    // With a tip: a newest header an hour ahead is still refused, the state untouched.
    let before = w.state().await;
    let mut ahead = old.clone();
    ahead.push_at(now_plus(HOUR));
    assert_eq!(w.refusal(&ahead.texts(3..4)).await, (422, "clock_skew".into(), Some(2)));
    assert_eq!(w.state().await, before);
}

#[tokio::test]
async fn a_header_of_another_log_is_refused() {
    let w = TestWitness::start().await;
    let chain = Chain::of(1);
    let other = chain.text(0).replace("log notarium.test/dev", "log notarium.test/other");
    let raw = w.post_raw(serde_json::json!({"headers": [other]}).to_string(), Some(TOKEN)).await;
    assert_eq!((raw.status, raw.body["code"].as_str()), (422, Some("wrong_log")));
    assert_eq!(w.state().await.last_signed_height, None);
}
