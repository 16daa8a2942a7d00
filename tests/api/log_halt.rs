//! A fork halts the log (issue 23): the operator's database rolled back under the witnesses'
//! feet, the witnesses refuse the resealed height with `fork`, and from then on the service
//! takes no new evidence (`503 log_halted`: nothing it took could be anchored) while reads go
//! on; a stop does not hang on co-signatures that cannot come.

use std::time::Duration;

use notarium::domain::{Hash, TenantRole};
use serde_json::{Value, json};

use crate::support::backend::Db;
use crate::support::{TestApp, problem, wait_until};

#[actix_web::test]
async fn a_fork_refusal_halts_the_acceptance_of_new_evidence_with_503_log_halted() {
    let app = TestApp::spawn().await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let ev = app.register(b"anchored before the rollback").await;
    let height = app.anchored_receipt(ev.id, &key).await.block.height;

    // The database rolled back: the co-signed block is gone, so the sealer seals another block
    // at a height the witnesses already signed.
    let data = app.stop().await;
    Db::of(data.path()).await.roll_back_blocks(height).await;
    let app = TestApp::spawn_on(data, |_| {}).await;
    wait_until(Duration::from_secs(30), async || {
        let body: Value = app.get("/readyz", None).await.json().await.unwrap();
        if body["fork"].is_string() { Ok(()) } else { Err(format!("no fork reported: {body}")) }
    })
    .await;

    let before = app.evidence_count().await;
    let one = json!({ "kind": "document", "content_hash": Hash::of(b"after the fork") });
    let res = app.post_json("/v1/evidence", Some(&key), &one).await;
    assert_eq!(res.headers().get("retry-after").map(|v| v.to_str().unwrap()), Some("60"));
    assert_eq!(problem(res).await, (503, "log_halted".to_owned()));
    let res = app.post_json("/v1/evidence/batch", Some(&key), &json!({ "items": [one] })).await;
    assert_eq!(problem(res).await, (503, "log_halted".to_owned()));
    assert_eq!(app.evidence_count().await, before, "nothing was taken");
    assert_eq!(app.evidence(ev.id, &key).await.id, ev.id, "reads go on");
    assert_eq!(app.get("/readyz", None).await.status(), 503);
    app.stop().await;
}
