//! Every table a copy moves, in dependency order, with its columns and key.

use super::Kind::{Bool, Bytes, Int, SmallInt, Text};
use super::{Column, Kind, Numbering, Table};

const fn col(name: &'static str, kind: Kind) -> Column {
    Column { name, kind, source: name }
}

/// A table whose rows carry their own keys, copied in pages of the size asked for.
const fn table(name: &'static str, key: usize, columns: &'static [Column]) -> Table {
    Table { name, columns, key, numbering: Numbering::None, max_page_rows: u32::MAX }
}

/// Every table of a deployment, in dependency order (a row's references are copied before
/// it). Not copied: `log_state` (the target's coordination row, moved on with the evidence).
pub const TABLES: &[Table] = &[
    table(
        "tenants",
        1,
        &[
            col("id", Bytes),
            col("name", Text),
            col("role", Text),
            col("issuer_code", Text),
            col("disabled", Bool),
            col("created_ms", Int),
        ],
    ),
    table(
        "api_keys",
        1,
        &[
            col("key_hash", Bytes),
            col("tenant_id", Bytes),
            col("label", Text),
            col("created_ms", Int),
            col("revoked_ms", Int),
        ],
    ),
    table(
        "sessions",
        1,
        &[
            col("token_hash", Bytes),
            col("key_hash", Bytes),
            col("csrf", Text),
            col("created_ms", Int),
            col("expires_ms", Int),
        ],
    ),
    table(
        "client_certs",
        1,
        &[
            col("fingerprint", Bytes),
            col("tenant_id", Bytes),
            col("subject", Text),
            col("not_after_ms", Int),
            col("created_ms", Int),
            col("revoked_ms", Int),
        ],
    ),
    table(
        "evidence",
        1,
        &[
            col("seq", Int),
            col("id", Bytes),
            col("tenant_id", Bytes),
            col("kind", Text),
            col("content_hash", Bytes),
            col("salt", Bytes),
            col("meta_hash", Bytes),
            col("metadata", Text),
            col("received_ms", Int),
            col("leaf_hash", Bytes),
            col("meta_salt", Bytes),
        ],
    )
    .numbered(Numbering::NextSeq),
    table(
        "idempotency",
        2,
        &[
            col("tenant_id", Bytes),
            col("key", Text),
            col("request_hash", Bytes),
            col("first_seq", Int),
            col("count", Int),
        ],
    ),
    table(
        "blocks",
        1,
        &[
            col("height", Int),
            col("first_seq", Int),
            col("leaf_count", Int),
            col("header", Text),
            col("block_hash", Bytes),
            col("sealed_ms", Int),
            col("anchored_ms", Int),
        ],
    ),
    table("block_tiles", 1, &[col("height", Int), col("roots", Bytes)]),
    table(
        "cosignatures",
        2,
        &[col("height", Int), col("witness", Text), col("role", Text), col("cms", Bytes), col("signed_ms", Int)],
    ),
    table(
        "audit_cursor",
        1,
        &[
            col("id", SmallInt),
            col("height", Int),
            col("block_hash", Bytes),
            col("log", Text),
            col("end_seq", Int),
            col("audited_ms", Int),
        ],
    ),
    table(
        "log_halt",
        1,
        &[col("id", SmallInt), col("reason", Text), col("witness", Text), col("height", Int), col("halted_ms", Int)],
    ),
    table(
        "invoices",
        3,
        &[
            col("issuer", Text),
            col("invoice_code", Text),
            col("invoice_number", Text),
            col("tenant_id", Bytes),
            col("evidence_seq", Int),
            col("content_hash", Bytes),
            col("currency", Text),
            col("total_cents", Int),
            col("reimbursable_cents", Int),
            col("claimed_cents", Int),
            col("active_claims", Int),
            col("body", Text),
            col("erased_ms", Int),
            col("signature", Bytes),
            col("signer", Text),
            col("void_seq", Int),
            col("void_reason", Text),
        ],
    ),
    table(
        "claims",
        1,
        &[
            col("id", Bytes),
            col("issuer", Text),
            col("invoice_code", Text),
            col("invoice_number", Text),
            col("insurer_id", Bytes),
            col("claim_reference", Text),
            col("content_hash", Bytes),
            col("amount_cents", Int),
            col("evidence_seq", Int),
            col("claimed_ms", Int),
            col("withdrawal_seq", Int),
            col("withdrawn_ms", Int),
        ],
    ),
    table(
        "invoice_checks",
        1,
        &[
            Column { name: "id", kind: Int, source: "rowid" },
            col("issuer", Text),
            col("invoice_code", Text),
            col("invoice_number", Text),
            col("insurer_id", Bytes),
            col("checked_ms", Int),
            col("verdict", Text),
        ],
    )
    .numbered(Numbering::Identity),
    table(
        "images",
        1,
        &[
            col("seq", Int),
            col("content_hash", Bytes),
            col("public", Bool),
            col("fingerprints", Bytes),
            col("thumbnail", Bytes),
        ],
    )
    // Thumbnails (JPEG, at most 320 px a side) make these rows the largest.
    .pages_of_at_most(500),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_leading_columns_of_known_kinds_and_names_are_unique() {
        let mut names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TABLES.len());
        for t in TABLES {
            assert!(t.key >= 1 && t.key <= t.columns.len(), "{}", t.name);
            assert!(t.key_columns().iter().all(|c| c.kind != Bool), "{}", t.name);
        }
    }
}
