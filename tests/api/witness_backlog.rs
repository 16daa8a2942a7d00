//! A witness that is down never stops sealing and is retried with backoff; when it returns,
//! the backlog is co-signed in order and every block gets anchored, also when it spans more
//! than one 1,000-header page. A k-of-n quorum anchors without the missing witness.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use notarium::crypto::devpki::write_dev_pki;
use notarium::crypto::{OpensslChecker, TrustStore};
use notarium::domain::verify::{QuorumPolicy, VerifyInput, verify};
use notarium::domain::{Role, TenantRole};
use notarium::store::Store;
use serde_json::{Value, json};

use crate::support::{TestApp, external_witnesses, start_witness, wait_until};

/// The app with two external witnesses under the test's control, both up.
struct Outage {
    witnesses: tempfile::TempDir,
    addrs: Vec<SocketAddr>,
    court: Option<ServerHandle>,
    app: TestApp,
}

impl Outage {
    async fn start(adjust: impl FnOnce(&mut notarium::config::Settings)) -> Self {
        let witnesses = tempfile::tempdir().unwrap();
        let pki_dir = witnesses.path().join("pki");
        write_dev_pki(&pki_dir).unwrap();
        let addrs: Vec<SocketAddr> =
            (0..2).map(|_| TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()).collect();
        let court = start_witness(Role::Court, &pki_dir, &witnesses.path().join("court"), addrs[0]).await;
        start_witness(Role::Notary, &pki_dir, &witnesses.path().join("notary"), addrs[1]).await;
        let app = TestApp::spawn_with(|s| {
            // The app's data directory gets the same dev PKI, so its anchor is the witnesses' CA.
            let data_pki = s.data.join("pki");
            std::fs::create_dir_all(data_pki.join("trust")).unwrap();
            for f in ["ca.pem", "ca.key", "court.pem", "court.key", "notary.pem", "notary.key"] {
                std::fs::copy(pki_dir.join(f), data_pki.join(f)).unwrap();
            }
            std::fs::copy(pki_dir.join("ca.pem"), data_pki.join("trust/ca.pem")).unwrap();
            s.seal_interval_ms = 20;
            s.witness_timeout_ms = 500;
            s.witnesses = external_witnesses(&addrs);
            adjust(s);
        })
        .await;
        Self { witnesses, addrs, court: Some(court), app }
    }

    async fn court_down(&mut self) {
        self.court.take().unwrap().stop(true).await;
    }

    async fn court_up(&mut self) {
        let (pki, state) = (self.witnesses.path().join("pki"), self.witnesses.path().join("court"));
        self.court = Some(start_witness(Role::Court, &pki, &state, self.addrs[0]).await);
    }

    /// Waits until every block up to `top` is anchored, then checks each has exactly one
    /// co-signature from each witness.
    async fn assert_anchored_in_order(&self, store: &Store, top: u64) {
        wait_until(Duration::from_secs(60), async || match store.oldest_unanchored().await.unwrap() {
            Some(h) if h <= top => Err(format!("the backlog was not co-signed: block {h} is not anchored")),
            _ => Ok(()),
        })
        .await;
        for height in 0..=top {
            let signers: Vec<String> =
                store.cosignatures(height).await.unwrap().into_iter().map(|c| c.witness.to_string()).collect();
            assert_eq!(signers, ["court", "notary"], "block {height}");
        }
    }
}

#[actix_web::test]
async fn a_backlog_of_over_50_blocks_is_cosigned_in_order_when_a_witness_returns() {
    let mut outage = Outage::start(|_| {}).await;
    let app = &outage.app;
    let first = app.register(b"before the outage").await;
    app.anchored_receipt(first.id, app.key(TenantRole::Merchant)).await;

    outage.court_down().await;
    let app = &outage.app;
    let store = app.store().await;
    let mut ids = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while store.latest_block().await.unwrap().map_or(0, |b| b.height) < 55 {
        assert!(tokio::time::Instant::now() < deadline, "sealing stalled while a witness was down");
        let ev = app.register(format!("during the outage {}", ids.len()).as_bytes()).await;
        ids.push(ev.id);
    }
    let backlog_top = store.latest_block().await.unwrap().unwrap().height;
    assert!(store.oldest_unanchored().await.unwrap().is_some(), "nothing anchors without the court");

    outage.court_up().await;
    outage.assert_anchored_in_order(&store, backlog_top).await;
    let app = &outage.app;
    for id in [&ids[0], &ids[ids.len() / 2], ids.last().unwrap()] {
        app.anchored_receipt(id, app.key(TenantRole::Merchant)).await;
    }
}

#[actix_web::test]
async fn a_backlog_of_more_than_one_page_is_cosigned_when_a_witness_returns() {
    // One record per block, so one batch of 1,100 records makes 1,100 blocks: the sealer must
    // page its catch-up (1,000 headers per request) and the witness accept the stale full page.
    let mut outage = Outage::start(|s| s.max_batch = 1).await;
    outage.court_down().await;
    let app = &outage.app;
    let items: Vec<Value> = (0..1100u32)
        .map(|i| json!({"kind": "document", "content_hash": notarium::domain::Hash::of(&i.to_le_bytes())}))
        .collect();
    let created = app.register_batch(app.key(TenantRole::Merchant), &items).await;
    let store = app.store().await;
    wait_until(Duration::from_secs(60), async || match store.latest_block().await.unwrap().map_or(0, |b| b.height) {
        h if h < 1100 => Err(format!("the records were not sealed: latest block {h}")),
        _ => Ok(()),
    })
    .await;
    let top = store.latest_block().await.unwrap().unwrap().height;
    assert_eq!(store.last_cosigned(&"court".parse().unwrap()).await.unwrap(), None);
    // Let the first page's newest header (height 999) age past the witnesses' 5 s max_skew,
    // so the court must accept a stale full page to catch up at all: the wait is the
    // behaviour under test (a stale page), not a wait for something to happen.
    let sealed = store.block(999).await.unwrap().unwrap().sealed.unix_millis() + 5_500;
    let wait = sealed - notarium::domain::Timestamp::now().unix_millis();
    tokio::time::sleep(Duration::from_millis(wait.max(0) as u64)).await;

    outage.court_up().await;
    outage.assert_anchored_in_order(&store, top).await;
    let app = &outage.app;
    app.anchored_receipt(created.items[1099].id, app.key(TenantRole::Merchant)).await;
}

#[actix_web::test]
async fn a_k_of_n_quorum_anchors_while_the_other_role_is_down() {
    let notary_only = QuorumPolicy::new(0, 1, 1).unwrap();
    let mut outage = Outage::start(|s| s.quorum = notary_only).await;
    outage.court_down().await;
    let app = &outage.app;
    let ev = app.register(b"anchored by the notary alone").await;
    let receipt = app.anchored_receipt(ev.id, app.key(TenantRole::Merchant)).await;
    let signers: Vec<&str> = receipt.cosignatures.iter().map(|c| c.witness.as_str()).collect();
    assert_eq!(signers, ["notary"]);

    // Valid under the policy it was anchored with, not under the default one court + one notary.
    let trust = TrustStore::from_dir(&app.trust_dir()).unwrap();
    let checker = OpensslChecker { trust: &trust };
    let quorum_ok = |policy: &QuorumPolicy| {
        let report = verify(&receipt, &VerifyInput::default(), &checker, policy);
        report.checks.iter().find(|c| c.name == "quorum").unwrap().ok
    };
    assert_eq!(quorum_ok(&notary_only), Some(true));
    assert_eq!(quorum_ok(&QuorumPolicy::default()), Some(false));
    // The service's /v1/verify applies the service's policy.
    let body = serde_json::to_value(&receipt).unwrap();
    let res = app.post_json("/v1/verify", None, &body).await;
    assert_eq!(res.json::<Value>().await.unwrap()["valid"], true);
}

#[actix_web::test]
async fn a_witness_that_is_down_is_retried_with_backoff_not_every_round() {
    // A "witness" that accepts connections and drops them at once: every attempt is counted.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let attempts = Arc::new(AtomicUsize::new(0));
    let counted = attempts.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    let outage = Outage::start(|s| {
        s.seal_interval_ms = 20;
        s.witness_retry_max_ms = 400;
        s.witnesses[0].url = format!("http://{addr}");
    })
    .await;
    let app = &outage.app;
    app.register(b"sealed while the court drops every call").await;
    // A fixed window, counted: how many attempts fit in 3 s is the behaviour under test.
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Retried every 20 ms that would be ~150 attempts; with 20, 40, … capped at 400 ms, ~12.
    let n = attempts.load(Ordering::SeqCst);
    assert!((3..=20).contains(&n), "{n} attempts in 3 s");
    let witnesses = app.witnesses().await;
    let court = &witnesses.witnesses[0];
    assert_eq!((court.name.as_str(), court.reachable), ("court", Some(false)), "{court:?}");
    assert_eq!(court.retry_in_ms, Some(400), "{court:?}");
    assert_eq!(witnesses.witnesses[1].retry_in_ms, None, "the notary is fine");
}
