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
        "format": "notarium-receipt/v1",
        "evidence": {
            "id": ID, "kind": "document", "content_hash": HASH, "salt": HASH,
            "meta_hash": "5d6f1b1c0c7b9e2a4f8d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a1908f7e",
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

pub fn witness() -> Value {
    json!({
        "name": "court", "role": "court", "reachable": true, "last_height": 42, "last_contact": TIME,
        "last_refusal": null, "refusals": 0, "last_error": null, "retry_in_ms": null,
        "lag_blocks": 0, "lag_seconds": 0.0,
    })
}

pub fn readiness(ready: bool) -> Value {
    json!({
        "ready": ready, "database_writable": true, "sealer_running": ready, "fork": null,
        "witnesses": [witness()],
        "audit": {
            "schedule": "0 0 3 * * *", "last_run": null, "duration_ms": null, "from_height": null,
            "to_height": null, "records": 0, "blocks": 0, "cosignatures": 0, "ok": null,
            "inconsistency": null, "error": null, "audited_through": null,
        },
    })
}
