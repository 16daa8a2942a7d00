//! Evidence records and image rows.

use super::StoredRow;
use crate::domain::TenantId;
use crate::domain::{EvidenceKind, Salt};
use crate::store::columns;
use crate::store::columns::check_erased_salt;
use crate::store::evidence::{EvidenceRecord, IdempotencyRecord};
use crate::store::images::ImageRow;

/// A record, from the columns of `evidence` the backends select as `COLUMNS`.
pub(crate) fn record(r: &impl StoredRow) -> anyhow::Result<EvidenceRecord> {
    let kind: EvidenceKind = r.word("kind")?;
    let salt = check_erased_salt(kind, r.salt_unless_erased("salt")?)?;
    Ok(EvidenceRecord {
        seq: r.uint("seq")?,
        id: r.evidence_id("id")?,
        owner: r.tenant_id("tenant_id")?,
        kind,
        content_hash: r.hash("content_hash")?,
        salt,
        meta_hash: r.meta_hash("meta_hash")?,
        meta_salt: r.maybe_bytes("meta_salt")?.map(|b| columns::bytes32("meta_salt", b)).transpose()?.map(Salt),
        metadata: r.maybe_json("metadata")?,
        received: r.time("received_ms")?,
        leaf_hash: r.hash("leaf_hash")?,
    })
}

pub(crate) fn image(r: &impl StoredRow) -> anyhow::Result<ImageRow> {
    Ok(ImageRow { seq: r.uint("seq")?, public: r.flag("public")? })
}

/// A recorded idempotency key: its owner and key, and what it answered.
pub(crate) fn idempotency(r: &impl StoredRow) -> anyhow::Result<((TenantId, String), IdempotencyRecord)> {
    let rec = IdempotencyRecord {
        request_hash: r.hash("request_hash")?,
        first_seq: r.uint("first_seq")?,
        count: r.uint("count")?,
    };
    Ok(((r.tenant_id("tenant_id")?, r.string("key")?), rec))
}
