//! `notarium audit --witness URL...` (issue 23): a live database agrees with what its witnesses
//! last co-signed; the same data directory restored from an earlier backup is named a rollback
//! against the running witnesses; a witness that does not answer makes the audit unusable.

use std::net::{SocketAddr, TcpListener};
use std::process::Output;

use notarium::crypto::devpki::write_dev_pki;
use notarium::domain::{Role, TenantRole};
use serde_json::Value;

use crate::support::process::notarium;
use crate::support::{TestApp, external_witnesses, start_witness};

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// `notarium ARGS`, off the async runtime.
async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || notarium().args(args).output().unwrap()).await.unwrap()
}

/// `notarium audit --data DATA --witness URL...`.
async fn audit(data: &std::path::Path, urls: &[String]) -> Output {
    let mut args = vec!["audit".to_owned(), "--data".to_owned(), data.display().to_string()];
    for url in urls {
        args.extend(["--witness".to_owned(), url.clone()]);
    }
    run(args).await
}

#[tokio::test]
async fn a_database_restored_from_an_earlier_backup_is_named_a_rollback_against_the_running_witnesses() {
    let addrs: Vec<SocketAddr> =
        (0..2).map(|_| TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()).collect();
    // The service's own dev PKI certifies the external witnesses, which start once it is up.
    let app = TestApp::spawn_with(|s| {
        let pki = s.data.join("pki");
        write_dev_pki(&pki).unwrap();
        std::fs::create_dir_all(pki.join("trust")).unwrap();
        std::fs::copy(pki.join("ca.pem"), pki.join("trust/ca.pem")).unwrap();
        s.witnesses = external_witnesses(&addrs);
    })
    .await;
    let states = tempfile::tempdir().unwrap();
    let pki = app.data.path().join("pki");
    let court = start_witness(Role::Court, &pki, &states.path().join("court"), addrs[0]).await;
    let notary = start_witness(Role::Notary, &pki, &states.path().join("notary"), addrs[1]).await;
    let urls: Vec<String> = addrs.iter().map(|a| format!("http://{a}")).collect();
    let key = app.key(TenantRole::Merchant).to_owned();

    let before = app.register(b"before the backup").await;
    app.anchored_receipt(before.id, &key).await;
    let backups = tempfile::tempdir().unwrap();
    let dest = backups.path().join("backup");
    let out =
        run(vec!["backup".into(), dest.display().to_string(), "--data".into(), app.data.path().display().to_string()]);
    let out = out.await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let after = app.register(b"after the backup").await;
    let later = app.anchored_receipt(after.id, &key).await.block.height;

    // The head is public (no credential) and says what the witness last co-signed.
    let head: Value = reqwest::get(format!("{}/witness/v1/head", urls[0])).await.unwrap().json().await.unwrap();
    let signed = head["last_signed_height"].as_u64().unwrap();
    assert!(signed >= later, "{head}");
    assert_eq!((head["witness"].as_str(), head["role"].as_str()), (Some("court"), Some("court")), "{head}");

    let live = audit(app.data.path(), &urls).await;
    assert_eq!(live.status.code(), Some(0), "{}", text(&live));
    assert!(text(&live).contains("holds what each of the 2 witnesses last co-signed"), "{}", text(&live));
    app.stop().await;

    let restored = tempfile::tempdir().unwrap();
    let out =
        run(vec!["restore".into(), dest.display().to_string(), "--data".into(), restored.path().display().to_string()]);
    let out = out.await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // On its own the restored database is consistent: only the witnesses tell the rollback.
    assert_eq!(audit(restored.path(), &[]).await.status.code(), Some(0));
    let rolled_back = audit(restored.path(), &urls).await;
    assert_eq!(rolled_back.status.code(), Some(1), "{}", text(&rolled_back));
    let said = text(&rolled_back);
    assert!(said.starts_with(&format!("INCONSISTENT: witnesses court: it co-signed block {signed} ")), "{said}");
    assert!(said.contains("the database was rolled back"), "{said}");

    // A witness that does not answer: unusable, naming it.
    let nobody = format!("http://{}", TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap());
    let unusable = audit(restored.path(), std::slice::from_ref(&nobody)).await;
    assert_eq!(unusable.status.code(), Some(2), "{}", text(&unusable));
    assert!(text(&unusable).contains(&nobody), "{}", text(&unusable));
    court.stop(true).await;
    notary.stop(true).await;
}
