//! Invoices over HTTP: issue, check, claim at most the reimbursable amount (also under a race
//! of 50 claims from 5 insurers), withdraw, void, roles, bad input, receipts.

mod lifecycle;
mod receipts;
mod refusals;
mod signing;

use notarium::domain::canonical::canonical_json;
use notarium::domain::{Hash, TenantRole};
use serde_json::{Value, json};

use crate::support::{Invoice, TestApp, expect};

/// A valid invoice of 200.00 with 100.00 reimbursable (the fund paid the other 100.00).
pub fn invoice(issuer: &str, number: &str) -> Value {
    json!({
        "issuer": issuer,
        "invoice_code": "330100-2026",
        "invoice_number": number,
        "issue_date": "2026-11-21",
        "currency": "CNY",
        "payer": { "masked_id": "3301**********1234", "token": "PAYERTOKEN-q7Rk2mX9vB4nL8s" },
        "encounter": { "type": "inpatient", "number": "A2026-0042", "start_date": "2026-11-18", "end_date": "2026-11-21" },
        "lines": [
            { "category": "bed", "description": "Ward bed, 3 nights", "quantity": "3", "unit_price": "40.00", "amount": "120.00" },
            { "category": "medicine", "description": "Amoxicillin 0.25 g x 24", "quantity": "2", "unit_price": "40.00", "amount": "80.00" }
        ],
        "total": "200.00",
        "paid_by_fund": "100.00",
        "paid_by_personal_account": "0.00",
        "self_pay": "100.00",
        "reimbursable": "100.00"
    })
}

pub fn path(number: &str) -> String {
    format!("/v1/invoices/DEMO-HOSP/330100-2026/{number}")
}

pub fn content_hash(invoice: &Value) -> String {
    Hash::of(&canonical_json(invoice)).to_string()
}

/// Issues `invoice` as the demo hospital (`201`); the invoice.
pub async fn issue(app: &TestApp, invoice: &Value) -> Invoice {
    expect(app.post_json("/v1/invoices", Some(app.key(TenantRole::Hospital)), invoice).await, 201).await
}

/// A claim: (status, body).
pub async fn claim(app: &TestApp, key: &str, number: &str, hash: &str, amount: &str, reference: &str) -> (u16, Value) {
    let body = json!({ "content_hash": hash, "amount": amount, "claim_reference": reference });
    let res = app.post_json(&format!("{}/claims", path(number)), Some(key), &body).await;
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn insurer(app: &TestApp, name: &str) -> String {
    app.store().await.create_tenant(name, TenantRole::Insurer, None).await.unwrap().1
}

/// `POST /v1/invoices/check` as `key` (`200`): the answer.
pub async fn check(app: &TestApp, key: &str, body: &Value) -> Value {
    let res = app.post_json("/v1/invoices/check", Some(key), body).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}
