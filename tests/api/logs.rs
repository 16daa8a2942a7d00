//! The real binary with `--log-format json` through a full flow: every request gives one JSON
//! line with its fields, and nothing secret (API keys, salts, uploaded bytes, metadata) appears
//! anywhere in its output.

use std::time::Duration;

use notarium::domain::Hash;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::browser_session::Browser;
use crate::support::real_server::{RealServer, create_tenant};

/// Every `"salt"` string in a JSON value.
fn salts(v: &Value, into: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match v {
                    Value::String(s) if k == "salt" => into.push(s.clone()),
                    _ => salts(v, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| salts(i, into)),
        _ => {}
    }
}

async fn anchored_receipt(http: &reqwest::Client, base: &str, id: &str, key: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let res = http.get(format!("{base}/v1/evidence/{id}/receipt?wait=5")).bearer_auth(key).send().await.unwrap();
        match res.status().as_u16() {
            200 => return res.json().await.unwrap(),
            202 => assert!(tokio::time::Instant::now() < deadline, "not anchored within 30 s"),
            other => panic!("receipt: {other}"),
        }
    }
}

#[tokio::test]
async fn json_logs_have_one_line_per_request_with_its_fields_and_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = create_tenant(&data, "Clinic", "merchant", None);
    let other_key = create_tenant(&data, "Other", "merchant", None);
    let wrong_key = "ntk_WRONGwrongWRONGwrongWRONGwrongWRONGwrong12";
    let server = RealServer::start(dir.path(), &data).await;
    let base = server.base.clone();
    let http = reqwest::Client::new();

    // Upload with metadata.
    let file_bytes = b"UPLOADED-FILE-BYTES-7f3a9c patient scan".to_vec();
    let patient = "PATIENT-NAME-Zhang-San-41";
    let form = Form::new()
        .part("file", Part::bytes(file_bytes.clone()).file_name("scan.pdf"))
        .text("kind", "document")
        .text("metadata", json!({ "title": patient, "payer": "PAYER-ACCOUNT-998877" }).to_string());
    let res = http.post(format!("{base}/v1/evidence")).bearer_auth(&key).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let uploaded: Value = res.json().await.unwrap();
    // Hash only, and a batch.
    let hash = Hash::of(b"hash-only content").to_string();
    let res = http
        .post(format!("{base}/v1/evidence"))
        .bearer_auth(&key)
        .json(&json!({ "kind": "contract", "content_hash": hash }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let hash_only: Value = res.json().await.unwrap();
    let items: Vec<Value> = (0..3)
        .map(|i| json!({ "kind": "document", "content_hash": Hash::of(format!("batch {i}").as_bytes()) }))
        .collect();
    let res =
        http.post(format!("{base}/v1/evidence/batch")).bearer_auth(&key).json(&json!({ "items": items })).send().await;
    assert_eq!(res.unwrap().status(), 201);
    let res =
        http.post(format!("{base}/v1/evidence/lookup")).bearer_auth(&key).json(&json!({ "content_hash": hash })).send();
    assert_eq!(res.await.unwrap().status(), 200);
    // Receipts, their zip, and verification.
    let mut all_salts = Vec::new();
    let mut receipts = Vec::new();
    for ev in [&uploaded, &hash_only] {
        let receipt = anchored_receipt(&http, &base, ev["id"].as_str().unwrap(), &key).await;
        salts(&receipt, &mut all_salts);
        receipts.push(receipt);
    }
    assert_eq!(all_salts.len(), 2, "a salt per receipt");
    let zip =
        http.get(format!("{base}/v1/evidence/{}/receipt.zip", uploaded["id"].as_str().unwrap())).bearer_auth(&key);
    assert_eq!(zip.send().await.unwrap().status(), 200);
    let res = http.post(format!("{base}/v1/verify")).json(&receipts[0]).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let form = Form::new()
        .part("receipt", Part::bytes(serde_json::to_vec(&receipts[0]).unwrap()).file_name("receipt.json"))
        .part("file", Part::bytes(file_bytes.clone()).file_name("scan.pdf"));
    assert_eq!(http.post(format!("{base}/v1/verify")).multipart(form).send().await.unwrap().status(), 200);
    // Failed auth, another tenant's record, an unknown path carrying an id.
    let res = http.get(format!("{base}/v1/evidence")).bearer_auth(wrong_key).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let id = uploaded["id"].as_str().unwrap();
    let res = http.get(format!("{base}/v1/evidence/{id}")).bearer_auth(&other_key).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = http.get(format!("{base}/no/such/{id}?key={wrong_key}")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    // The login page, with a wrong key and then the right one.
    let mut browser = Browser::new(&base);
    let csrf = browser.get("/login").await.csrf();
    browser.post_form("/login", &[("csrf", &csrf), ("api_key", wrong_key)]).await;
    let csrf = browser.get("/login").await.csrf();
    let page = browser.post_form("/login", &[("csrf", &csrf), ("api_key", &key), ("next", "/")]).await;
    assert_eq!(page.status, 303);
    assert_eq!(browser.get("/blocks").await.status, 200);

    let (out, err) = server.stop().await;
    let all = [out.as_slice(), err.as_slice()].concat();
    let text = String::from_utf8_lossy(&all);
    let mut secrets = vec![key.clone(), other_key.clone(), wrong_key.to_owned(), patient.to_owned()];
    secrets.push("PAYER-ACCOUNT-998877".into());
    secrets.push(String::from_utf8(file_bytes.clone()).unwrap());
    secrets.push("UPLOADED-FILE-BYTES".into());
    secrets.push(hash.clone());
    secrets.extend(all_salts.iter().cloned());
    // The key's random part alone, in case something logged it without its prefix.
    secrets.push(key.trim_start_matches("ntk_").to_owned());
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "the output contains {secret:?}:\n{text}");
    }
    assert!(!all.windows(file_bytes.len()).any(|w| w == file_bytes), "the uploaded bytes are in the output");

    let mut requests = Vec::new();
    for line in String::from_utf8(err).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        if v["message"] == "request" {
            requests.push(v);
        }
    }
    assert!(out.is_empty(), "serve writes nothing to stdout");
    assert!(requests.len() >= 15, "{} request lines", requests.len());
    for r in &requests {
        for field in ["request_id", "tenant", "method", "route", "status", "latency_ms", "timestamp", "level"] {
            assert!(!r[field].is_null(), "{field} missing in {r}");
        }
        assert!(r["status"].is_u64() && r["latency_ms"].is_number(), "{r}");
        let route = r["route"].as_str().unwrap();
        assert!(!route.contains(id) && !route.contains('?'), "a raw path was logged: {r}");
    }
    let find = |route: &str, status: u64| {
        requests.iter().find(|r| r["route"] == route && r["status"] == status).unwrap_or_else(|| {
            panic!("no {route} {status} line in {requests:#?}");
        })
    };
    let created = find("/v1/evidence", 201);
    assert_eq!(created["method"], "POST");
    let tenant = created["tenant"].as_str().unwrap();
    assert_eq!(tenant.len(), 36, "a tenant id: {created}");
    assert_eq!(find("/v1/evidence/{id}/receipt", 200)["tenant"], tenant);
    assert_eq!(find("/v1/evidence/batch", 201)["tenant"], tenant);
    assert_eq!(find("/v1/evidence", 401)["tenant"], "-");
    assert_eq!(find("/v1/verify", 200)["tenant"], "-");
    assert_eq!(find("-", 404)["method"], "GET");
    find("/login", 303);
    assert_eq!(find("/blocks", 200)["tenant"], tenant, "a logged-in page request names its tenant");
    let ids: std::collections::HashSet<_> = requests.iter().map(|r| r["request_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), requests.len(), "request ids are unique");
}
