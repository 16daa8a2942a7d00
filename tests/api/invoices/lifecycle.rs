//! An invoice's life: issued, checked, claimed up to its reimbursable amount (also by 50
//! concurrent claims), withdrawn and voided.

use std::collections::HashSet;

use notarium::domain::TenantRole;
use serde_json::{Value, json};

use super::{check, claim, content_hash, insurer, invoice, issue, path};
use crate::support::{Claim, TestApp, expect, problem};

#[tokio::test]
async fn issue_check_claim_withdraw_void_lifecycle() {
    let app = TestApp::spawn().await;
    // The demo hospital's issuer code is written next to its key, and it is the code it issues under.
    let keys = std::fs::read_to_string(app.data.path().join("demo-keys.txt")).unwrap();
    let hospital = keys.lines().find(|l| l.starts_with("hospital ")).unwrap();
    let fields: Vec<&str> = hospital.split_whitespace().collect();
    assert_eq!((fields.len(), fields[2], fields[3]), (4, app.key(TenantRole::Hospital), "issuer=DEMO-HOSP"), "{keys}");
    let inv = invoice("DEMO-HOSP", "L-1");
    let hash = content_hash(&inv);
    let issued = issue(&app, &inv).await;
    assert_eq!(issued.content_hash.to_string(), hash, "BLAKE3 of the canonical JSON as submitted");
    assert_eq!((issued.status.as_str(), issued.remaining.as_str()), ("issued", "100.00"));
    let (a, b) = (app.key(TenantRole::Insurer).to_owned(), insurer(&app, "Commercial Insurer B").await);

    let checked = check(&app, &a, &inv).await;
    assert_eq!(checked["verdict"], "authentic");
    assert_eq!((checked["reimbursable"].as_str(), checked["remaining"].as_str()), (Some("100.00"), Some("100.00")));

    let (s, first) = claim(&app, &a, "L-1", &hash, "60.00", "A-1").await;
    assert_eq!((s, first["remaining"].as_str()), (201, Some("40.00")), "{first}");
    let (s, over) = claim(&app, &b, "L-1", &hash, "50.00", "B-1").await;
    assert_eq!(
        (s, over["code"].as_str(), over["remaining"].as_str()),
        (409, Some("amount_exceeds_remaining"), Some("40.00"))
    );
    let (s, b_claim) = claim(&app, &b, "L-1", &hash, "40.00", "B-2").await;
    assert_eq!((s, b_claim["remaining"].as_str()), (201, Some("0.00")));
    for (key, reference) in [(&a, "A-2"), (&b, "B-3")] {
        let (s, body) = claim(&app, key, "L-1", &hash, "0.01", reference).await;
        assert_eq!((s, body["code"].as_str()), (409, Some("amount_exceeds_remaining")));
    }
    // The same reference: the same body is the first result, another body a conflict.
    let (s, again) = claim(&app, &a, "L-1", &hash, "60.00", "A-1").await;
    assert_eq!((s, &again["id"]), (200, &first["id"]));
    let (s, reused) = claim(&app, &a, "L-1", &hash, "59.00", "A-1").await;
    assert_eq!((s, reused["code"].as_str()), (409, Some("claim_reference_reused")));

    // What a check shows: amounts and times, the caller's own claim ids only.
    let seen = check(
        &app,
        &b,
        &json!({ "issuer": "DEMO-HOSP", "invoice_code": "330100-2026",
        "invoice_number": "L-1", "content_hash": hash }),
    )
    .await;
    assert_eq!((seen["claimed"].as_str(), seen["remaining"].as_str()), (Some("100.00"), Some("0.00")));
    let claims = seen["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 2);
    assert!(claims[0].get("id").is_none() && claims[1]["id"] == b_claim["id"], "{seen}");
    assert!(!seen.to_string().contains("Insurer"), "no insurer names: {seen}");

    // A withdraws: 60.00 claimable again.
    let withdraw = format!("{}/claims/{}/withdraw", path("L-1"), first["id"].as_str().unwrap());
    let withdrawn: Claim = expect(app.post_json(&withdraw, Some(&a), &json!({})).await, 201).await;
    assert!(withdrawn.withdrawn.is_some() && withdrawn.remaining == "60.00", "{withdrawn:?}");
    assert_eq!(problem(app.post_json(&withdraw, Some(&a), &json!({})).await).await, (409, "claim_withdrawn".into()));
    assert_eq!(problem(app.post_json(&withdraw, Some(&b), &json!({})).await).await, (404, "not_found".into()));
    assert_eq!(check(&app, &a, &inv).await["remaining"], "60.00");

    // Void is refused while B's claim is active, allowed after it is withdrawn.
    let hospital = app.key(TenantRole::Hospital);
    let void = format!("{}/void", path("L-1"));
    let res = app.post_json(&void, Some(hospital), &json!({ "reason": "issued in error" })).await;
    assert_eq!(problem(res).await, (409, "invoice_claimed".into()));
    let withdraw_b = format!("{}/claims/{}/withdraw", path("L-1"), b_claim["id"].as_str().unwrap());
    assert_eq!(app.post_json(&withdraw_b, Some(&b), &json!({})).await.status(), 201);
    let res = app.post_json(&void, Some(hospital), &json!({ "reason": "issued in error" })).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "voided");
    for (key, reference) in [(&a, "A-3"), (&b, "B-4")] {
        let (s, body) = claim(&app, key, "L-1", &hash, "1.00", reference).await;
        assert_eq!((s, body["code"].as_str()), (409, Some("invoice_voided")));
    }
    assert_eq!(check(&app, &a, &inv).await["verdict"], "voided");
    let res = app.post_json(&void, Some(hospital), &json!({ "reason": "again" })).await;
    assert_eq!(problem(res).await, (409, "invoice_voided".into()));

    // The hospital sees it all: claims with insurer names, the void, the access log.
    let detail: Value = app.get(&path("L-1"), Some(hospital)).await.json().await.unwrap();
    assert_eq!(detail["claims"].as_array().unwrap().len(), 2);
    assert!(detail["claims"].as_array().unwrap().iter().all(|c| c["withdrawn"].is_string()));
    assert_eq!(detail["void"]["reason"], "issued in error");
    assert_eq!(detail["body"], inv);
    let verdicts: Vec<&str> =
        detail["checks"].as_array().unwrap().iter().map(|c| c["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["voided", "authentic", "authentic", "authentic"], "newest first");
    app.stop().await;
}

#[tokio::test]
async fn fifty_concurrent_claims_from_five_insurers_pay_out_exactly_the_reimbursable_amount() {
    let app = TestApp::spawn().await;
    let inv = invoice("DEMO-HOSP", "RACE-1");
    let hash = content_hash(&inv);
    issue(&app, &inv).await;
    let mut keys = vec![app.key(TenantRole::Insurer).to_owned()];
    for i in 2..=5 {
        keys.push(insurer(&app, &format!("Insurer {i}")).await);
    }
    let before = app.evidence_count().await;
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (app, key, hash) = (app.clone(), keys[i % 5].clone(), hash.clone());
            tokio::spawn(async move { claim(&app, &key, "RACE-1", &hash, "10.00", &format!("R-{i}")).await })
        })
        .collect();
    let mut created = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (201, body) => created.push(body),
            (409, body) => assert_eq!(body["code"], "amount_exceeds_remaining", "{body}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(created.len(), 10, "exactly 10 of 50 claims of 10 % succeed");
    let ids: HashSet<&str> = created.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 10);
    let store = app.store().await;
    let key = notarium::store::invoices::InvoiceKey {
        issuer: "DEMO-HOSP".into(),
        code: "330100-2026".into(),
        number: "RACE-1".into(),
    };
    let claims = store.claims_of(&key).await.unwrap();
    assert_eq!(claims.len(), 10);
    assert_eq!(claims.iter().map(|c| c.amount.0).sum::<u64>(), 10_000);
    let row = store.invoice(&key).await.unwrap().unwrap();
    assert_eq!((row.ledger.claimed.0, row.ledger.remaining().0), (10_000, 0));
    // The evidence log holds exactly the 10 claim records, nothing for the refused 40.
    assert_eq!(app.evidence_count().await, before + 10);
    let mut claim_records = 0;
    for c in &created {
        let id = c["evidence"]["id"].as_str().unwrap().parse().unwrap();
        let record = store.evidence_by_id(&id).await.unwrap().unwrap();
        assert_eq!(record.kind.as_str(), "claim");
        claim_records += 1;
    }
    assert_eq!(claim_records, 10);
}
