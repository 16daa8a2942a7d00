//! The witness's memory across restarts, and enrolment at a height.

use notarium::domain::{BlockHeader, Hash};
use notarium::witness::enrol;

use crate::fixtures::{Chain, Pki, TestWitness, forged};
use crate::support::wait_until;

#[tokio::test]
async fn after_a_restart_it_still_refuses_forks_and_continues_the_chain() {
    let w = TestWitness::start().await;
    let mut chain = Chain::of(5);
    assert_eq!(w.cosign_heights(&chain.texts(0..5)).await, [0, 1, 2, 3, 4]);
    let before = w.state().await;
    let (dir, pki) = w.stop().await;

    let w = TestWitness::start_in(dir, pki).await;
    assert_eq!(w.state().await, before);
    for height in [4, 2, 0] {
        let fork = forged(&chain.headers[height]).text();
        assert_eq!(w.refusal(&[fork]).await, (409, "fork".into(), Some(4)), "height {height}");
    }
    assert_eq!(w.cosign_heights(&chain.texts(0..5)).await, [0, 1, 2, 3, 4], "signed again after a restart");
    chain.push_now();
    assert_eq!(w.cosign_heights(&chain.texts(3..6)).await, [3, 4, 5]);
    let (dir, pki) = w.stop().await;

    let w = TestWitness::start_in(dir, pki).await;
    let state = w.state().await;
    assert_eq!((state.last_signed_height, state.last_signed_hash), (Some(5), Some(chain.hash(5))));
}

#[tokio::test]
async fn an_enrolled_witness_starts_at_its_enrolment_point() {
    let dir = tempfile::tempdir().unwrap();
    let x = Hash::of(b"the block at height 41, signed by the witness this one replaces");
    enrol(&dir.path().join("state"), 41, x).unwrap();
    let w = TestWitness::start_in(dir, Pki::court()).await;
    let state = w.state().await;
    assert_eq!((state.last_signed_height, state.last_signed_hash, state.last_cosignature), (Some(41), Some(x), None));

    let genesis = Chain::of(1);
    assert_eq!(w.refusal(&genesis.texts(0..1)).await, (409, "before_enrolment".into(), Some(41)));
    let at_41 = BlockHeader { height: 41, prev: Hash::of(b"40"), ..genesis.headers[0].clone() };
    assert_eq!(w.refusal(&[at_41.text()]).await, (409, "fork".into(), Some(41)));
    let at_43 = BlockHeader { height: 43, prev: Hash::of(b"42"), ..genesis.headers[0].clone() };
    assert_eq!(w.refusal(&[at_43.text()]).await, (409, "gap".into(), Some(41)));
    let not_chained = BlockHeader { height: 42, prev: Hash::of(b"41"), ..genesis.headers[0].clone() };
    assert_eq!(w.refusal(&[not_chained.text()]).await, (409, "fork".into(), Some(41)));

    let next = BlockHeader { height: 42, prev: x, ..genesis.headers[0].clone() };
    assert_eq!(w.cosign_heights(&[next.text()]).await, [42]);
    let state = w.state().await;
    assert_eq!((state.last_signed_height, state.last_signed_hash), (Some(42), Some(next.block_hash())));
    assert!(state.last_cosignature.is_some());

    // Enrolling a witness that has signed since is refused (polled: the stopped server's
    // worker threads release the directory lock a moment after the stop).
    let state_dir = w.state_dir();
    let (_dir, _pki) = w.stop().await;
    let err = wait_until(std::time::Duration::from_secs(10), async || {
        let err = enrol(&state_dir, 41, x).unwrap_err().to_string();
        if err.contains("in use") { Err(err) } else { Ok(err) }
    })
    .await;
    assert!(err.contains("already holds"), "{err}");
}
