//! Co-signing that succeeds: from genesis, in backlogs, signing again what was signed, with
//! intermediates, and under concurrent requests.

use std::time::Duration;

use notarium::crypto::certs::chain_to_anchor;
use notarium::crypto::cms::{inspect, verify_signature};
use notarium::domain::{Role, Timestamp};
use notarium::witness::{CosignError, MAX_HEADERS_PER_REQUEST, WitnessClient};
use openssl::x509::X509;

use crate::fixtures::{Chain, Pki, TOKEN, TestWitness, forged, now_plus};

#[tokio::test]
async fn genesis_then_a_chain_is_cosigned_and_each_cosignature_verifies() {
    let w = TestWitness::start().await;
    let fresh = w.state().await;
    assert_eq!((fresh.last_signed_height, fresh.last_signed_hash, fresh.last_cosignature), (None, None, None));
    assert_eq!(fresh.chain, [String::from_utf8(w.pki.witness.cert.to_pem().unwrap()).unwrap()]);

    let mut chain = Chain::of(1);
    let mut last = None;
    for height in 0..4u64 {
        if height > 0 {
            chain.push_now();
        }
        let signed = w.client.cosign(&chain.texts(height..height + 1)).await.unwrap();
        let [s] = signed.as_slice() else { panic!("one co-signature expected, got {signed:?}") };
        assert_eq!((s.height, s.block_hash), (height, chain.hash(height)));

        // Independently of the client's own check: the signature, the chain, the signing time.
        let facts = inspect(&s.cms).unwrap();
        let signer = X509::from_der(&facts.signer_cert).unwrap();
        verify_signature(&s.cms, chain.text(height).as_bytes(), &signer).unwrap();
        assert_eq!(signer.to_der().unwrap(), w.pki.witness.cert.to_der().unwrap());
        chain_to_anchor(&signer, &[], std::slice::from_ref(&w.pki.ca.cert)).unwrap();
        let skew = facts.signing_time.unwrap().unix_millis() - Timestamp::now().unix_millis();
        assert!(skew.abs() < 60_000, "signing time {skew} ms from now");
        last = Some(s.clone());
    }

    let state = w.state().await;
    let last = last.unwrap();
    assert_eq!(state.last_signed_height, Some(3));
    assert_eq!(state.last_signed_hash, Some(chain.hash(3)));
    assert_eq!(state.last_cosignature, Some(last.cms));
    assert_eq!(state.log.as_str(), crate::fixtures::LOG);
    assert_eq!(state.role, Role::Court);
}

#[tokio::test]
async fn a_backlog_of_fifty_is_cosigned_in_order_and_1001_headers_are_too_large() {
    let w = TestWitness::start().await;
    let chain = Chain::of(50);
    assert_eq!(w.cosign_heights(&chain.texts(0..50)).await, (0..50).collect::<Vec<_>>());
    assert_eq!(w.state().await.last_signed_height, Some(49));

    let mut long = chain.clone();
    while long.headers.len() <= MAX_HEADERS_PER_REQUEST {
        long.push_now();
    }
    let before = w.state().await;
    assert_eq!(w.refusal(&long.texts(0..1001)).await, (413, "too_large".into(), None));
    assert_eq!(w.state().await, before);

    let huge = format!(r#"{{"headers": ["{}"]}}"#, "x".repeat(notarium::witness::MAX_REQUEST_BYTES));
    let raw = w.post_raw(huge, Some(TOKEN)).await;
    assert_eq!((raw.status, raw.body["code"].as_str()), (413, Some("too_large")));
    assert_eq!(w.state().await, before);

    // Exactly the limit is fine: 1,000 headers, the first 50 (signed before) signed again.
    assert_eq!(w.cosign_heights(&long.texts(0..1000)).await, (0..1000).collect::<Vec<_>>());
}

#[tokio::test]
async fn headers_signed_before_are_signed_again_and_the_state_advances_once() {
    // An operator that crashed after the witness signed, before it stored the co-signature,
    // sends the same headers again: it must get co-signatures for them, or those blocks could
    // never be anchored with this witness.
    let w = TestWitness::start().await;
    let mut chain = Chain::of(3);
    assert_eq!(w.cosign_heights(&chain.texts(0..3)).await, [0, 1, 2]);
    for _ in 0..3 {
        chain.push_now();
    }
    assert_eq!(w.cosign_heights(&chain.texts(0..6)).await, [0, 1, 2, 3, 4, 5]);
    let state = w.state().await;
    assert_eq!(state.last_signed_height, Some(5));
    assert_eq!(w.cosign_heights(&chain.texts(0..6)).await, [0, 1, 2, 3, 4, 5]);
    assert_eq!(w.cosign_heights(&chain.texts(4..6)).await, [4, 5]);
    assert_eq!(w.cosign_heights(&chain.texts(1..2)).await, [1], "an old header alone needs no fresh one");
    assert_eq!(w.state().await, state, "signing again does not move the state");
}

#[tokio::test]
async fn intermediates_are_carried_and_listed() {
    let certs = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("certs");
    let read = |name: &str| std::fs::read(certs.join(name)).unwrap();
    let pki = Pki {
        ca: notarium::crypto::devpki::KeyPair {
            key: openssl::pkey::PKey::private_key_from_pem(&read("ca.key")).unwrap(),
            cert: X509::from_pem(&read("ca.pem")).unwrap(),
        },
        witness: notarium::crypto::devpki::KeyPair {
            key: openssl::pkey::PKey::private_key_from_pem(&read("notary.key")).unwrap(),
            cert: X509::from_pem(&read("notary.pem")).unwrap(),
        },
        intermediates: vec![X509::from_pem(&read("notary-ca.pem")).unwrap()],
        role: Role::Notary,
    };
    let w = TestWitness::start_in(tempfile::tempdir().unwrap(), pki).await;
    let chain = Chain::of(2);
    let signed = w.client.cosign(&chain.texts(0..2)).await.unwrap();
    let facts = inspect(&signed[1].cms).unwrap();
    assert_eq!(facts.other_certs, [w.pki.intermediates[0].to_der().unwrap()]);
    let signer = X509::from_der(&facts.signer_cert).unwrap();
    chain_to_anchor(&signer, &w.pki.intermediates, std::slice::from_ref(&w.pki.ca.cert)).unwrap();
    assert_eq!(w.state().await.chain.len(), 2);

    // A client that expects a court witness refuses the notary's co-signatures.
    let court =
        WitnessClient::new("court".parse().unwrap(), Role::Court, &w.base_url, TOKEN, Duration::from_secs(30)).unwrap();
    let mut next = chain.clone();
    next.push_now();
    match court.cosign(&next.texts(2..3)).await {
        Err(CosignError::Protocol(m)) => assert!(m.contains("notary"), "{m}"),
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

#[tokio::test]
async fn concurrent_requests_never_sign_two_headers_at_one_height() {
    let w = TestWitness::start().await;
    let mut chain = Chain::of(1);
    w.cosign_heights(&chain.texts(0..1)).await;
    let honest = chain.push_at(now_plus(0)).clone();
    let candidates: Vec<String> = (0..8)
        .map(|i| {
            let mut h = forged(&honest);
            h.root = notarium::domain::Hash::of(&[i]);
            h.text()
        })
        .collect();
    let outcomes =
        futures_util::future::join_all(candidates.iter().map(|c| w.client.cosign(std::slice::from_ref(c)))).await;
    let signed: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(signed.len(), 1, "{outcomes:?}");
    for refused in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert!(matches!(refused, CosignError::Refused { status: 409, code, .. } if code == "fork"), "{refused:?}");
    }
    assert_eq!(w.state().await.last_signed_hash, Some(signed[0][0].block_hash));
}

#[tokio::test]
async fn a_backlog_longer_than_one_page_is_caught_up_page_by_page() {
    // An outage of more than 1,000 blocks: every full page but the last ends on a stale
    // header. A full page announces that more follow, so only the future bound applies to it;
    // the last (partial) page must end on a fresh header as always.
    let w = TestWitness::start().await;
    let mut chain = Chain::default();
    let hour_ago = now_plus(-3_600_000);
    for i in 0..1100 {
        chain.push_at(Timestamp::from_unix_millis(hour_ago.unix_millis() + i).unwrap());
    }
    let before = w.state().await;
    assert_eq!(w.refusal(&chain.texts(0..999)).await.1, "clock_skew", "a partial stale page is refused");
    assert_eq!(w.state().await, before);
    assert_eq!(w.cosign_heights(&chain.texts(0..1000)).await, (0..1000).collect::<Vec<_>>());
    assert_eq!(w.refusal(&chain.texts(1000..1100)).await.1, "clock_skew", "the last page needs a fresh header");
    chain.push_now();
    assert_eq!(w.cosign_heights(&chain.texts(1000..1101)).await, (1000..1101).collect::<Vec<_>>());

    // A full page is still held to the future bound.
    let mut ahead = Chain::default();
    for i in 0..1000 {
        ahead.push_at(Timestamp::from_unix_millis(now_plus(3_600_000).unix_millis() + i).unwrap());
    }
    let fresh = TestWitness::start().await;
    assert_eq!(fresh.refusal(&ahead.texts(0..1000)).await.1, "clock_skew");
}
