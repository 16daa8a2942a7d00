//! The examples of the API document.

use serde_json::{Value, json};

pub const HASH: &str = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
pub const ID: &str = "01970f7e-6c1a-7b3e-9d2f-4a5b6c7d8e9f";
pub const TENANT: &str = "01970f7d-0000-7000-8000-000000000001";
pub const TIME: &str = "2025-06-01T09:30:00.123Z";

pub fn evidence_in() -> Value {
    json!({ "kind": "document", "content_hash": HASH, "metadata": { "title": "Lease, signed copy" } })
}

pub fn evidence_out() -> Value {
    json!({
        "id": ID, "kind": "document", "content_hash": HASH,
        "meta_hash": "5d6f1b1c0c7b9e2a4f8d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a1908f7e",
        "leaf_hash": "0e4b3c2d1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c",
        "received": TIME, "status": "pending", "block": null,
        "metadata": { "title": "Lease, signed copy" }, "receipt": format!("/v1/evidence/{ID}/receipt"),
    })
}

pub fn receipt() -> Value {
    json!({
        "format": "notarium-receipt/v2",
        "evidence": {
            "id": ID, "kind": "document", "content_hash": HASH, "salt": HASH,
            "meta_hash": "5d6f1b1c0c7b9e2a4f8d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a1908f7e",
            "meta_salt": "7c1e9a0b2d3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c",
            "owner": TENANT, "received": TIME, "metadata": { "title": "Lease, signed copy" },
        },
        "leaf_hash": "0e4b3c2d1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c",
        "proof": { "leaf_index": 0, "leaf_count": 1, "siblings": [] },
        "block": { "log": "notarium.example/v1", "height": 42, "header": "…", "block_hash": HASH },
        "cosignatures": [
            { "witness": "court", "role": "court", "cms": "MIIG…", "chain": ["-----BEGIN CERTIFICATE-----\n…"] },
            { "witness": "notary", "role": "notary", "cms": "MIIG…", "chain": ["-----BEGIN CERTIFICATE-----\n…"] },
        ],
    })
}

pub fn verify_report() -> Value {
    json!({
        "valid": true,
        "checks": [{ "name": "leaf_hash", "ok": true, "detail": "the leaf hash matches the evidence" }],
        "proves": ["The file's BLAKE3 hash was registered no later than the block's time."],
        "does_not_prove": ["Who wrote the file, or that its content is true."],
    })
}

pub fn block() -> Value {
    json!({
        "height": 42, "header": "…", "block_hash": HASH, "leaves": 1, "sealed": TIME, "anchored": TIME,
        "cosignatures": [{ "witness": "court", "role": "court", "signing_time": TIME, "cms": "MIIG…" }],
    })
}

pub fn headers() -> Value {
    json!({
        "headers": [{ "height": 41, "header": "…", "block_hash": HASH }, { "height": 42, "header": "…", "block_hash": HASH }],
        "next": null,
        "anchored_head": block(),
    })
}

pub fn witness() -> Value {
    json!({
        "name": "court", "role": "court", "reachable": true, "last_height": 42, "last_contact": TIME,
        "last_refusal": null, "refusals": 0, "last_error": null, "retry_in_ms": null,
        "lag_blocks": 0, "lag_seconds": 0.0,
    })
}

pub fn readiness(ready: bool) -> Value {
    json!({
        "ready": ready, "database_writable": ready,
        "writes_refused": if ready { Value::Null } else { json!("storage_full") },
        "checked_by": if ready { "last_write" } else { "probe" },
        "last_write": { "committed": ready, "fault": if ready { Value::Null } else { json!("storage_full") }, "seconds_ago": 0.4 },
        "sealer_running": true, "fork": null,
        "witnesses": [witness()],
        "audit": {
            "schedule": "0 0 3 * * *", "last_run": null, "duration_ms": null, "from_height": null,
            "to_height": null, "records": 0, "blocks": 0, "cosignatures": 0, "ok": null,
            "inconsistency": null, "error": null, "audited_through": null,
        },
    })
}

/// A valid invoice: docs/invoice-example.json (the unit tests parse it).
pub fn invoice() -> Value {
    serde_json::from_str(include_str!("../../../docs/invoice-example.json")).expect("the example invoice is JSON")
}

/// An invoice as its hospital sees it (issued, listed, voided, erased).
pub fn invoice_out() -> Value {
    let mut record = evidence_out();
    record["kind"] = json!("invoice");
    record["metadata"] = json!({ "issuer": "DEMO-HOSP", "invoice_code": "330100-2026", "invoice_number": "00001234" });
    json!({
        "issuer": "DEMO-HOSP", "invoice_code": "330100-2026", "invoice_number": "00001234",
        "content_hash": HASH, "status": "issued", "currency": "CNY", "total": "182.00",
        "reimbursable": "82.00", "claimed": "0.00", "remaining": "82.00",
        "signed_by": null, "content_erased": null, "evidence": record,
    })
}

/// One of the hospital's invoices with its body, claims and access log.
pub fn invoice_detail() -> Value {
    let mut detail = invoice_out();
    detail["claimed"] = json!("50.00");
    detail["remaining"] = json!("32.00");
    detail["body"] = invoice();
    detail["void"] = Value::Null;
    detail["claims"] = json!([{ "id": ID, "insurer": "Basic Medical Insurance", "amount": "50.00",
        "claimed": TIME, "withdrawn": null }]);
    detail["checks"] = json!([{ "insurer": "Basic Medical Insurance", "checked": TIME, "verdict": "authentic" }]);
    detail
}

/// A claim as its insurer sees it.
pub fn claim_out() -> Value {
    let mut record = evidence_out();
    record["kind"] = json!("claim");
    record["metadata"] = json!({ "amount": "50.00", "claim_reference": "CLM-2026-000187",
        "invoice": { "issuer": "DEMO-HOSP", "invoice_code": "330100-2026", "invoice_number": "00001234",
            "content_hash": HASH } });
    json!({
        "id": record["id"], "issuer": "DEMO-HOSP", "invoice_code": "330100-2026", "invoice_number": "00001234",
        "claim_reference": "CLM-2026-000187", "amount": "50.00", "claimed": TIME, "withdrawn": null,
        "remaining": "32.00", "evidence": record, "withdrawal": null,
    })
}

/// The answer to a check of an authentic invoice.
pub fn check_out() -> Value {
    json!({
        "verdict": "authentic", "issuer": "DEMO-HOSP", "invoice_code": "330100-2026", "invoice_number": "00001234",
        "content_hash": HASH, "issued": TIME, "status": "anchored", "anchored": TIME,
        "receipt": { "format": "notarium-receipt/v2", "…": "see GET /v1/evidence/{id}/receipt" },
        "signed_by": null, "content_erased": null, "voided": null, "currency": "CNY",
        "reimbursable": "82.00", "claimed": "50.00", "remaining": "32.00",
        "claims": [{ "claimed": TIME, "amount": "50.00" }],
    })
}

pub fn image_out() -> Value {
    let mut out = evidence_out();
    out["kind"] = json!("image");
    out["metadata"] = json!({
        "title": "Red dress, front", "author": "Studio Lin",
        "file": { "name": "dress-front.jpg", "size": 2_480_115, "sha256": "9f2c…" },
        "image": { "format": "jpeg", "width": 4000, "height": 3000, "captured": "2026-11-02T09:14:03" },
        "fingerprints": { "algorithm": "pdq-multi/1", "threshold": 40, "quality": 100, "hashes": ["c3a1…", "…"] },
    });
    out
}

pub fn image_search() -> Value {
    json!({
        "algorithm": "pdq-multi/1", "threshold": 40, "fingerprinted": true,
        "matches": [{
            "id": ID, "registered": TIME, "status": "anchored", "block": 42, "anchored": TIME,
            "witnesses": [{ "name": "court", "role": "court" }, { "name": "notary", "role": "notary" }],
            "distance": 6, "identical": false, "link": format!("/e/{ID}"),
            "title": "Red dress, front", "author": "Studio Lin", "owner": "Lin Fashion",
            "thumbnail": format!("/e/{ID}/thumbnail.jpg"),
        }],
    })
}
