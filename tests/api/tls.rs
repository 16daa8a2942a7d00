//! HTTPS for the API and client certificates (mTLS) mapped to tenants: the real app on port
//! 0 with real openssl, certificates from the dev PKI functions.

use std::path::Path;

use notarium::config::{ApiTlsSettings, ClientAuth};
use notarium::crypto::devpki::{KeyPair, TlsUsage, issue_tls, new_ca};
use notarium::domain::{Hash, TenantRole};
use serde_json::{Value, json};

use crate::support::{TestApp, problem};

/// `dir/ca.pem` (server and client CA), `server.*` for 127.0.0.1, clients `hospital.*` and
/// `stranger.*` from that CA, `rogue.*` from another CA.
fn write_pki(dir: &Path) {
    let ca = new_ca("API TLS CA", 2).unwrap();
    let other = new_ca("Rogue CA", 2).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.cert.to_pem().unwrap()).unwrap();
    let write = |name: &str, pair: &KeyPair| {
        std::fs::write(dir.join(format!("{name}.pem")), pair.cert.to_pem().unwrap()).unwrap();
        std::fs::write(dir.join(format!("{name}.key")), pair.key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    };
    write("server", &issue_tls(&ca, "api", TlsUsage::Server(&["127.0.0.1", "localhost"]), 2).unwrap());
    write("hospital", &issue_tls(&ca, "hospital-a", TlsUsage::Client, 2).unwrap());
    write("stranger", &issue_tls(&ca, "stranger", TlsUsage::Client, 2).unwrap());
    write("rogue", &issue_tls(&other, "rogue", TlsUsage::Client, 2).unwrap());
}

async fn spawn_tls(pki: &Path, client_auth: ClientAuth) -> (TestApp, String) {
    spawn_tls_with(pki, client_auth, |_| {}).await
}

async fn spawn_tls_with(
    pki: &Path,
    client_auth: ClientAuth,
    adjust: impl FnOnce(&mut notarium::config::Settings),
) -> (TestApp, String) {
    let tls = ApiTlsSettings {
        cert: Some(pki.join("server.pem")),
        key: Some(pki.join("server.key")),
        client_ca: (client_auth != ClientAuth::None).then(|| pki.join("ca.pem")),
        client_auth,
    };
    let app = TestApp::spawn_with(|s| {
        s.tls = tls;
        adjust(s);
    })
    .await;
    let base = app.base.replacen("http://", "https://", 1);
    (app, base)
}

fn client(pki: &Path, identity: Option<&str>) -> reqwest::Client {
    let ca = std::fs::read(pki.join("ca.pem")).unwrap();
    let mut b = reqwest::Client::builder().tls_certs_only(reqwest::Certificate::from_pem_bundle(&ca).unwrap());
    if let Some(name) = identity {
        let read = |ext: &str| std::fs::read(pki.join(format!("{name}.{ext}"))).unwrap();
        b = b.identity(reqwest::Identity::from_pkcs8_pem(&read("pem"), &read("key")).unwrap());
    }
    b.build().unwrap()
}

/// The tenant id of a demo role, from `demo-keys.txt` (`role tenant-id key`).
fn demo_tenant(data: &Path, role: &str) -> String {
    let text = std::fs::read_to_string(data.join("demo-keys.txt")).unwrap();
    text.lines().find_map(|l| l.strip_prefix(role)).unwrap().split_whitespace().next().unwrap().to_owned()
}

fn admin(data: &Path, args: &[&str]) -> (bool, String, String) {
    let out = crate::support::process::admin(data, args);
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn document(content: &[u8]) -> Value {
    json!({ "kind": "document", "content_hash": Hash::of(content) })
}

#[tokio::test]
async fn https_serves_the_api_and_plain_http_to_its_port_fails() {
    let pki = tempfile::tempdir().unwrap();
    write_pki(pki.path());
    let (app, base) = spawn_tls(pki.path(), ClientAuth::None).await;
    let https = client(pki.path(), None);
    assert_eq!(https.get(format!("{base}/healthz")).send().await.unwrap().status(), 200);
    let res = https
        .post(format!("{base}/v1/evidence"))
        .bearer_auth(app.key(TenantRole::Merchant))
        .json(&document(b"over https"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert!(reqwest::get(app.url("/healthz")).await.is_err(), "plain HTTP to the HTTPS port must fail");
    // A client that does not trust the server's CA does not connect.
    assert!(reqwest::Client::new().get(format!("{base}/healthz")).send().await.is_err());
    app.stop().await;
}

#[tokio::test]
async fn a_mapped_client_certificate_is_its_tenant_until_revoked() {
    let pki = tempfile::tempdir().unwrap();
    write_pki(pki.path());
    let (app, base) = spawn_tls(pki.path(), ClientAuth::Optional).await;
    let data = app.data.path().to_owned();
    let hospital_id = demo_tenant(&data, "hospital");
    let hospital_pem = pki.path().join("hospital.pem");
    let (ok, fingerprint, err) =
        admin(&data, &["tenant", "cert", "add", "--tenant", &hospital_id, "--cert", hospital_pem.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(fingerprint.trim().len(), 64, "{fingerprint}");
    let (ok, listed, _) = admin(&data, &["tenant", "cert", "list", "--tenant", &hospital_id]);
    assert!(ok && listed.contains(fingerprint.trim()) && listed.contains("active") && listed.contains("hospital-a"));
    // Mapping the same certificate twice, or a CA certificate, is refused.
    let (ok, _, err) =
        admin(&data, &["tenant", "cert", "add", "--tenant", &hospital_id, "--cert", hospital_pem.to_str().unwrap()]);
    assert!(!ok && err.contains("already mapped"), "{err}");
    let ca_pem = pki.path().join("ca.pem");
    let (ok, _, err) =
        admin(&data, &["tenant", "cert", "add", "--tenant", &hospital_id, "--cert", ca_pem.to_str().unwrap()]);
    assert!(!ok && err.contains("CA certificate"), "{err}");

    // No bearer key: the certificate is the tenant; the record is the hospital's.
    let hospital = client(pki.path(), Some("hospital"));
    let res = hospital.post(format!("{base}/v1/evidence")).json(&document(b"mtls")).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    // A browser holding the certificate, made to post by another site: refused.
    for (header, value) in [("origin", "https://elsewhere.example"), ("sec-fetch-site", "cross-site")] {
        let res = hospital.post(format!("{base}/v1/evidence")).header(header, value).json(&document(b"csrf")).send();
        let res = res.await.unwrap();
        assert_eq!(problem(res).await, (401, "invalid_client_certificate".into()), "{header}");
    }
    let store = app.store().await;
    let record = store.evidence_by_id(&id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(record.owner.to_string(), hospital_id);
    assert_eq!(hospital.get(format!("{base}/v1/evidence/{id}")).send().await.unwrap().status(), 200);
    // The merchant cannot see it; a bearer key decides over the certificate.
    let res = hospital
        .get(format!("{base}/v1/evidence/{id}"))
        .bearer_auth(app.key(TenantRole::Merchant))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // Optional: no certificate, bearer key as usual; neither: 401 missing_api_key.
    let plain = client(pki.path(), None);
    let res =
        plain.get(format!("{base}/v1/evidence/{id}")).bearer_auth(app.key(TenantRole::Hospital)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = plain.get(format!("{base}/v1/evidence/{id}")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "missing_api_key");

    // A certificate from the trusted CA that nobody mapped: 401.
    let stranger = client(pki.path(), Some("stranger"));
    let res = stranger.post(format!("{base}/v1/evidence")).json(&document(b"stranger")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_client_certificate");
    // A certificate from another CA does not get through the handshake.
    let rogue = client(pki.path(), Some("rogue"));
    assert!(rogue.get(format!("{base}/healthz")).send().await.is_err());

    // Revoked: a request (new connection) is refused, without a restart.
    let (ok, _, err) = admin(&data, &["tenant", "cert", "revoke", "--fingerprint", fingerprint.trim()]);
    assert!(ok, "{err}");
    // Revoked by another process: the server's credential cache forgets it within its TTL.
    tokio::time::sleep(notarium::store::CREDENTIAL_TTL).await;
    let hospital = client(pki.path(), Some("hospital"));
    let res = hospital.post(format!("{base}/v1/evidence")).json(&document(b"after revoke")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let (_, listed, _) = admin(&data, &["tenant", "cert", "list", "--tenant", &hospital_id]);
    assert!(listed.contains("revoked"), "{listed}");
    app.stop().await;
}

#[tokio::test]
async fn required_client_auth_refuses_a_client_without_a_certificate_at_the_handshake() {
    let pki = tempfile::tempdir().unwrap();
    write_pki(pki.path());
    let (app, base) = spawn_tls(pki.path(), ClientAuth::Required).await;
    let hospital_id = demo_tenant(app.data.path(), "hospital");
    let pem = std::fs::read(pki.path().join("hospital.pem")).unwrap();
    let cert = notarium::crypto::client_cert::parse_client_cert(&pem).unwrap();
    assert!(app.store().await.add_client_cert(&hospital_id.parse().unwrap(), &cert).await.unwrap());

    let err = client(pki.path(), None)
        .get(format!("{base}/healthz"))
        .bearer_auth(app.key(TenantRole::Hospital))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect() || err.is_request(), "{err:?}");
    let hospital = client(pki.path(), Some("hospital"));
    assert_eq!(hospital.get(format!("{base}/healthz")).send().await.unwrap().status(), 200);
    let res = hospital.post(format!("{base}/v1/evidence")).json(&document(b"required")).send().await.unwrap();
    assert_eq!(res.status(), 201);
    app.stop().await;
}

#[tokio::test]
async fn a_certificate_tenant_is_rate_limited_like_a_key() {
    let pki = tempfile::tempdir().unwrap();
    write_pki(pki.path());
    let quota =
        notarium::config::Quota { requests_per_second: 1, burst_requests: 1, bytes_per_second: 0, burst_bytes: 0 };
    let (app, base) = spawn_tls_with(pki.path(), ClientAuth::Optional, |s| s.rate_limits.hospital = quota).await;
    let data = app.data.path().to_owned();
    let hospital_pem = pki.path().join("hospital.pem");
    let id = demo_tenant(&data, "hospital");
    let (ok, _, err) =
        admin(&data, &["tenant", "cert", "add", "--tenant", &id, "--cert", hospital_pem.to_str().unwrap()]);
    assert!(ok, "{err}");
    let hospital = client(pki.path(), Some("hospital"));
    assert_eq!(hospital.get(format!("{base}/v1/evidence")).send().await.unwrap().status(), 200);
    let res = hospital.get(format!("{base}/v1/evidence")).send().await.unwrap();
    assert_eq!(res.status(), 429);
}
