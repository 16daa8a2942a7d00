//! Blocks, their co-signatures, the audit's cursor and the log's halt.

use super::StoredRow;
use crate::store::audit::AuditCursor;
use crate::store::blocks::{BlockRow, CosignatureRow};
use crate::store::halt::LogHalt;

pub(crate) fn block(r: &impl StoredRow) -> anyhow::Result<BlockRow> {
    Ok(BlockRow {
        height: r.uint("height")?,
        first_seq: r.uint("first_seq")?,
        leaf_count: r.uint("leaf_count")?,
        header: r.string("header")?,
        block_hash: r.hash("block_hash")?,
        sealed: r.time("sealed_ms")?,
        anchored: r.maybe_time("anchored_ms")?,
    })
}

pub(crate) fn cosignature(r: &impl StoredRow) -> anyhow::Result<CosignatureRow> {
    Ok(CosignatureRow {
        height: r.uint("height")?,
        witness: r.text("witness")?,
        role: r.word("role")?,
        cms: r.bytes("cms")?,
        signed: r.time("signed_ms")?,
    })
}

pub(crate) fn audit_cursor(r: &impl StoredRow) -> anyhow::Result<AuditCursor> {
    Ok(AuditCursor {
        height: r.uint("height")?,
        block_hash: r.hash("block_hash")?,
        log: r.text("log")?,
        end_seq: r.uint("end_seq")?,
        audited: r.time("audited_ms")?,
    })
}

pub(crate) fn log_halt(r: &impl StoredRow) -> anyhow::Result<LogHalt> {
    Ok(LogHalt {
        reason: r.string("reason")?,
        witness: r.text("witness")?,
        height: r.maybe_uint("height")?,
        halted: r.time("halted_ms")?,
    })
}
