//! Bad input on both sides: credentials and bodies the witness refuses, and answers the
//! client refuses.

use std::net::TcpListener;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use notarium::crypto::cms::sign;
use notarium::crypto::devpki::issue_witness;
use notarium::domain::{Hash, Role};
use notarium::witness::{CosignError, WitnessClient};
use serde_json::{Value, json};

use crate::fixtures::{Chain, Pki, TOKEN, TestWitness};

#[tokio::test]
async fn a_missing_or_wrong_credential_is_401_with_its_code() {
    let w = TestWitness::start().await;
    let body = json!({"headers": Chain::of(1).texts(0..1)}).to_string();

    let missing = w.post_raw(body.clone(), None).await;
    assert_eq!((missing.status, missing.body["code"].as_str()), (401, Some("missing_credential")));
    assert_eq!(missing.content_type, "application/problem+json");
    assert!(missing.challenge.unwrap().starts_with("Bearer"));
    let wrong = w.post_raw(body, Some("ntk_not-the-token")).await;
    assert_eq!((wrong.status, wrong.body["code"].as_str()), (401, Some("invalid_credential")));
    assert!(!wrong.body.to_string().contains("ntk_not-the-token"));

    assert_eq!(w.get_state_raw(None).await.body["code"], "missing_credential");
    assert_eq!(w.get_state_raw(Some(&format!("Basic {TOKEN}"))).await.body["code"], "invalid_credential");
    assert_eq!(w.get_state_raw(Some(&format!("Bearer {TOKEN}"))).await.status, 200);

    let client =
        WitnessClient::new("court".parse().unwrap(), Role::Court, &w.base_url, "wrong", Duration::from_secs(5))
            .unwrap();
    match client.state().await {
        Err(CosignError::Refused { status: 401, code, .. }) => assert_eq!(code, "invalid_credential"),
        other => panic!("expected 401, got {other:?}"),
    }
    assert_eq!(w.state().await.last_signed_height, None, "nothing was signed");
}

#[tokio::test]
async fn malformed_bodies_and_headers_are_refused() {
    let w = TestWitness::start().await;
    let chain = Chain::of(2);

    let syntax = w.post_raw(r#"{"headers": ["#, Some(TOKEN)).await;
    assert_eq!((syntax.status, syntax.body["code"].as_str()), (400, Some("malformed_body")));
    let not_json = w.post_raw("headers=1", Some(TOKEN)).await;
    assert_eq!(not_json.status, 400);

    // Well-formed JSON of the wrong shape is 422 invalid_field, as in the whole v1 API
    // (DESIGN §6): the body was read fine; a field of it is wrong. Unknown fields are refused.
    for shape in [json!({"headers": chain.texts(0..2), "note": "x"}), json!({"headers": [1]}), json!({})] {
        let raw = w.post_raw(shape.to_string(), Some(TOKEN)).await;
        assert_eq!((raw.status, raw.body["code"].as_str()), (422, Some("invalid_field")), "{shape}");
    }

    let bad = chain.text(1).replace("height 1", "height 01");
    let raw = w.post_raw(json!({"headers": [chain.text(0), bad]}).to_string(), Some(TOKEN)).await;
    assert_eq!((raw.status, raw.body["code"].as_str()), (422, Some("malformed_header")));
    assert!(raw.body["detail"].as_str().unwrap().starts_with("header 1:"), "{}", raw.body);
    assert_eq!(raw.body["index"], 1);
    assert_eq!(raw.body["last_signed_height"], Value::Null);
    assert_eq!(w.state().await.last_signed_height, None, "all or nothing: header 0 was not signed");

    assert_eq!(w.cosign_heights(&[]).await, Vec::<u64>::new());
}

#[tokio::test]
async fn the_client_refuses_answers_that_do_not_match_or_do_not_verify() {
    let pki = Pki::court();
    let chain = Chain::of(2);
    let cosign = |text: &str, key_pair: &notarium::crypto::devpki::KeyPair| {
        sign(text.as_bytes(), &key_pair.key, &key_pair.cert, &[]).unwrap()
    };
    let entry = |height: u64, hash: Hash, cms: &[u8]| {
        use base64::Engine;
        json!({"height": height, "block_hash": hash.to_string(),
               "cms": base64::engine::general_purpose::STANDARD.encode(cms)})
    };
    let good = entry(1, chain.hash(1), &cosign(&chain.text(1), &pki.witness));
    let notary = issue_witness(&pki.ca, "Notary", "notary", 30, None).unwrap();
    let cases = [
        ("a good answer", json!({"cosignatures": [good.clone()]}), true),
        (
            "cms over another header",
            json!({"cosignatures": [entry(1, chain.hash(1), &cosign(&chain.text(0), &pki.witness))]}),
            false,
        ),
        (
            "hash of another header",
            json!({"cosignatures": [entry(1, chain.hash(0), &cosign(&chain.text(1), &pki.witness))]}),
            false,
        ),
        (
            "not the newest header",
            json!({"cosignatures": [entry(0, chain.hash(0), &cosign(&chain.text(0), &pki.witness))]}),
            false,
        ),
        ("more than was sent", json!({"cosignatures": [good.clone(), good.clone(), good]}), false),
        ("another role", json!({"cosignatures": [entry(1, chain.hash(1), &cosign(&chain.text(1), &notary))]}), false),
        ("not CMS", json!({"cosignatures": [entry(1, chain.hash(1), b"not cms")]}), false),
        ("an unknown member", json!({"cosignatures": [], "extra": 1}), false),
    ];
    let answer = web::Data::new(Mutex::new(Value::Null));
    let served = answer.clone();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let fake = HttpServer::new(move || {
        App::new().app_data(served.clone()).route(
            "/witness/v1/cosign",
            web::post().to(|a: web::Data<Mutex<Value>>| async move { HttpResponse::Ok().json(&*a.lock().unwrap()) }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = fake.handle();
    tokio::spawn(fake);

    let client =
        WitnessClient::new("court".parse().unwrap(), Role::Court, &url, TOKEN, Duration::from_secs(5)).unwrap();
    for (what, body, ok) in cases {
        *answer.lock().unwrap() = body;
        match client.cosign(&chain.texts(0..2)).await {
            Ok(signed) => assert!(ok, "{what}: accepted {signed:?}"),
            Err(CosignError::Protocol(m)) => assert!(!ok, "{what}: refused: {m}"),
            Err(e) => panic!("{what}: {e}"),
        }
    }
    handle.stop(true).await;
}

#[tokio::test]
async fn a_witness_that_is_not_there_is_unreachable() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client =
        WitnessClient::new("court".parse().unwrap(), Role::Court, &url, TOKEN, Duration::from_secs(5)).unwrap();
    assert!(matches!(client.cosign(&Chain::of(1).texts(0..1)).await, Err(CosignError::Unreachable(_))));
    assert!(
        WitnessClient::new("court".parse().unwrap(), Role::Court, "not a url", TOKEN, Duration::from_secs(5)).is_err()
    );
}
