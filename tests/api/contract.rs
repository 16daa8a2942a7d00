//! Contract details: query errors as problem+json, `202` while not anchored, `/v1/verify`
//! bounds, readiness that really probes, untrusted witnesses, one service per data directory.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use notarium::app::Application;
use notarium::crypto::devpki::write_dev_pki;
use notarium::domain::{Hash, Role, TenantRole};
use serde_json::{Value, json};

use crate::support::process::notarium_on;
use crate::support::{ReceiptResponse, Status, TestApp, external_witnesses, problem, start_witness, wait_until};

#[actix_web::test]
async fn query_string_errors_are_problems_with_codes() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let id = app.register(b"q").await.id.to_string();
    let cases = [
        ("/v1/evidence?limit=abc", "invalid_query"),
        ("/v1/evidence?colour=red", "invalid_query"),
        ("/v1/evidence?limit=0", "invalid_limit"),
        ("/v1/evidence?limit=1001", "invalid_limit"),
        ("/v1/evidence?cursor=x", "invalid_cursor"),
        (&format!("/v1/evidence/{id}/receipt?colour=red"), "invalid_query"),
        (&format!("/v1/evidence/{id}/receipt?wait=+5"), "invalid_wait"),
        (&format!("/v1/evidence/{id}/receipt?wait=-1"), "invalid_wait"),
        (&format!("/v1/evidence/{id}/receipt?disclose=some"), "invalid_disclose"),
    ];
    for (path, code) in cases {
        assert_eq!(problem(app.get(path, Some(&key)).await).await, (400, code.to_owned()), "{path}");
    }
    app.stop().await;
}

/// Two witnesses whose certificates come from a CA the service does not trust.
async fn foreign_witnesses() -> (tempfile::TempDir, Vec<SocketAddr>) {
    let dir = tempfile::tempdir().unwrap();
    write_dev_pki(&dir.path().join("pki")).unwrap();
    let addrs: Vec<SocketAddr> =
        (0..2).map(|_| TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()).collect();
    for (role, addr) in [(Role::Court, addrs[0]), (Role::Notary, addrs[1])] {
        start_witness(role, &dir.path().join("pki"), &dir.path().join(role.as_str()), addr).await;
    }
    (dir, addrs)
}

#[actix_web::test]
async fn co_signatures_a_verifier_would_refuse_never_anchor_and_the_receipt_stays_202() {
    let (_witness_dir, addrs) = foreign_witnesses().await;
    let app = TestApp::spawn_with(|s| s.witnesses = external_witnesses(&addrs)).await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let id = app.register(b"never anchored").await.id.to_string();
    let ReceiptResponse::NotYet(body) = app.receipt(&id, &key, "?wait=1").await else { panic!("anchored") };
    assert_eq!(body.id.to_string(), id);
    assert!(matches!(body.status, Status::Sealed | Status::Pending), "{body:?}");

    let errors = wait_until(Duration::from_secs(20), async || {
        let w = app.witnesses().await;
        let errors: Vec<String> = w.witnesses.iter().filter_map(|w| w.last_error.clone()).collect();
        if errors.len() == 2 { Ok(errors) } else { Err(format!("{w:?}")) }
    })
    .await;
    assert!(errors.iter().all(|e| e.contains("chain")), "{errors:?}");
    assert!(app.store().await.oldest_unanchored().await.unwrap().is_some());
    assert_eq!(app.get(&format!("/v1/evidence/{id}/receipt"), Some(&key)).await.status(), 202);
    app.stop().await;
}

#[actix_web::test]
async fn verify_bounds_what_an_anonymous_caller_may_send() {
    let app = TestApp::spawn().await;
    let big = vec![b' '; (1 << 20) + 1];
    assert_eq!(
        problem(app.post_raw("/v1/verify", "none", "application/json", big).await).await,
        (413, "too_large".into())
    );
    let form = reqwest::multipart::Form::new().part("other", reqwest::multipart::Part::bytes(vec![0u8; 10]));
    let res = app.http.post(app.url("/v1/verify")).multipart(form).send().await.unwrap();
    assert_eq!(problem(res).await, (422, "invalid_field".into()));
    let res = app.post_json("/v1/verify", None, &json!({"format": "notarium-receipt/v1"})).await;
    assert_eq!(problem(res).await, (422, "invalid_field".into()));
    app.stop().await;
}

#[actix_web::test]
async fn readiness_fails_while_the_database_cannot_be_written() {
    let app = TestApp::spawn().await;
    // Ready once the sealer has run its first round.
    wait_until(Duration::from_secs(10), async || match app.get("/readyz", None).await.status().as_u16() {
        200 => Ok(()),
        status => Err(format!("never ready: {status}")),
    })
    .await;
    let mut other = app.db().await;
    other.refuse_writes().await;
    let res = app.get("/readyz", None).await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.json::<Value>().await.unwrap()["database_writable"], false);
    other.allow_writes().await;
    let res = app.get("/readyz", None).await;
    let status = res.status();
    assert_eq!(status, 200, "{}", res.text().await.unwrap());
    app.stop().await;
}

#[actix_web::test]
async fn one_service_per_data_directory() {
    let app = TestApp::spawn().await;
    let mut settings = notarium::config::Settings { data: app.data.path().to_owned(), ..Default::default() };
    settings.listen = "127.0.0.1:0".parse().unwrap();
    let second = Application::build(settings).await;
    assert!(second.is_err(), "a second service on the same data directory must not start");
    app.stop().await;
}

#[actix_web::test]
async fn admin_commands_manage_tenants_and_keys_of_a_running_service() {
    let app = TestApp::spawn().await;
    let admin = |args: &[&str]| {
        let out =
            notarium_on(app.data.path()).arg("admin").args(args).arg("--data").arg(app.data.path()).output().unwrap();
        if !out.status.success() {
            // Shown with a failure: why the command refused.
            eprintln!("notarium admin {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap().trim().to_owned())
    };
    let (code, key) = admin(&["tenant", "create", "--name", "Shop", "--role", "merchant"]);
    assert_eq!(code, 0);
    assert!(key.starts_with("ntk_") && !key.contains('\n'), "the key alone on stdout: {key}");
    let body = json!({"kind": "document", "content_hash": Hash::of(b"shop")});
    assert_eq!(app.post_json("/v1/evidence", Some(&key), &body).await.status(), 201);
    assert_eq!(admin(&["tenant", "create", "--name", "H", "--role", "hospital"]).0, 2, "hospitals need an issuer code");
    let spaced = ["tenant", "create", "--name", "H", "--role", "hospital", "--issuer-code", "CITY HOSP"];
    assert_eq!(admin(&spaced).0, 2, "an issuer code no invoice could carry is refused");
    let (_, list) = admin(&["tenant", "list"]);
    let line = list.lines().find(|l| l.ends_with("Shop")).unwrap();
    let tenant = line.split_whitespace().next().unwrap();

    let (code, rotated) = admin(&["key", "rotate", "--tenant", tenant]);
    assert_eq!(code, 0);
    // Revoked by another process: the server's credential cache forgets it within its TTL.
    tokio::time::sleep(notarium::store::CREDENTIAL_TTL).await;
    assert_eq!(problem(app.post_json("/v1/evidence", Some(&key), &body).await).await, (401, "invalid_api_key".into()));
    assert_eq!(app.post_json("/v1/evidence", Some(&rotated), &body).await.status(), 201);
    assert_eq!(admin(&["tenant", "disable", "--tenant", tenant]).0, 0);
    // Revoked by another process: the server's credential cache forgets it within its TTL.
    tokio::time::sleep(notarium::store::CREDENTIAL_TTL).await;
    assert_eq!(
        problem(app.post_json("/v1/evidence", Some(&rotated), &body).await).await,
        (401, "invalid_api_key".into())
    );
    app.stop().await;
}
