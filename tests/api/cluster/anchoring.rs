//! The three processes anchor and verify, over plain HTTP and over HTTPS with a client
//! certificate or a token.

use std::time::Duration;

use serde_json::Value;

use super::{Cluster, verify_with_binary_and_openssl};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_register_anchor_and_verify() {
    let cluster = Cluster::start().await;
    let id = cluster.register(b"three processes").await;
    let receipt = cluster.anchored_receipt(&id, Duration::from_secs(30)).await;
    assert_eq!(receipt.cosignatures.len(), 2);
    verify_with_binary_and_openssl(cluster.root.path(), &receipt, b"three processes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn witnesses_over_https_with_a_client_certificate_or_a_token() {
    let cluster = Cluster::start_with(&[], true).await;
    let id = cluster.register(b"over https").await;
    let receipt = cluster.anchored_receipt(&id, Duration::from_secs(30)).await;
    assert_eq!(receipt.cosignatures.len(), 2);
    verify_with_binary_and_openssl(cluster.root.path(), &receipt, b"over https");

    // The court accepts only the pinned client certificate: a client trusting its HTTPS
    // certificate but presenting none (and no token) is refused, and plain HTTP gets nowhere.
    let ca = std::fs::read(cluster.root.path().join("tls/ca.pem")).unwrap();
    let court = format!("https://{}", cluster.witness_addrs[0]);
    let stranger =
        reqwest::Client::builder().tls_certs_only(reqwest::Certificate::from_pem_bundle(&ca).unwrap()).build().unwrap();
    let res = stranger.get(format!("{court}/witness/v1/state")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "missing_credential");
    let tls = cluster.root.path().join("tls");
    let read = |f: &str| std::fs::read(tls.join(f)).unwrap();
    let identity = reqwest::Identity::from_pkcs8_pem(&read("stranger.pem"), &read("stranger.key")).unwrap();
    let stranger = reqwest::Client::builder()
        .tls_certs_only(reqwest::Certificate::from_pem_bundle(&ca).unwrap())
        .identity(identity)
        .build()
        .unwrap();
    let res = stranger.get(format!("{court}/witness/v1/state")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_credential");
    let plain = reqwest::get(format!("http://{}/witness/v1/state", cluster.witness_addrs[0])).await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
    // A client that does not trust the witnesses' TLS CA does not connect at all.
    let untrusting = reqwest::Client::builder()
        .tls_certs_only(
            reqwest::Certificate::from_pem_bundle(&std::fs::read(cluster.root.path().join("pki/ca.pem")).unwrap())
                .unwrap(),
        )
        .build()
        .unwrap();
    assert!(untrusting.get(format!("{court}/witness/v1/state")).send().await.is_err());
}
