//! Evidence records, and the idempotency keys of the requests that created them.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{QueryBuilder, Row, Sqlite};

use super::SqliteStore;
use super::codec::{self, id_bytes};
use crate::domain::canonical::canonical_json;
use crate::domain::{EvidenceId, EvidenceKind, Hash, TenantId};
use crate::store::columns::check_erased_salt;
use crate::store::evidence::{EvidenceRecord, EvidenceStore, IdempotencyRecord};
use crate::store::write_plan::SeenKeys;

pub(super) const COLUMNS: &str =
    "seq, id, tenant_id, kind, content_hash, salt, meta_hash, metadata, received_ms, leaf_hash";
/// Records per epoch of the content index, as a shift: `seq >> 16` (migration 0010).
const EPOCH_BITS: u32 = 16;
/// SQLite allows 32,766 bound parameters per statement; ten per row.
const ROWS_PER_INSERT: usize = 3000;

#[async_trait]
impl EvidenceStore for SqliteStore {
    async fn evidence_by_id(&self, id: &EvidenceId) -> anyhow::Result<Option<EvidenceRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM evidence WHERE id = ?")))
            .bind(id_bytes(id))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(record_from_row).transpose()
    }

    /// The owner's records, newest first, with `seq` below `before` when given.
    async fn evidence_page(
        &self,
        owner: &TenantId,
        before: Option<u64>,
        limit: u32,
    ) -> anyhow::Result<Vec<EvidenceRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM evidence WHERE tenant_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id_bytes(owner))
            .bind(before.map_or(i64::MAX, |b| b as i64))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// The owner's records with this content hash, oldest first (at most `limit`).
    async fn evidence_by_content(
        &self,
        owner: &TenantId,
        content: &Hash,
        limit: u32,
    ) -> anyhow::Result<Vec<EvidenceRecord>> {
        // The index is keyed by epoch, then the hash's first 8 bytes (migration 0010): one probe
        // per epoch, oldest first, with the index's own expressions so that it is used. `epochs`
        // has only the column `e`, so the record's columns need no table name.
        let sql = format!(
            "WITH RECURSIVE epochs(e) AS ( \
               SELECT 0 UNION ALL SELECT e + 1 FROM epochs WHERE e < (SELECT MAX(seq) >> {EPOCH_BITS} FROM evidence)) \
             SELECT {COLUMNS} FROM epochs CROSS JOIN evidence INDEXED BY evidence_content_epoch \
               ON (evidence.seq >> {EPOCH_BITS}) = epochs.e AND substr(evidence.content_hash, 1, 8) = ?2 \
             WHERE evidence.tenant_id = ?1 AND evidence.content_hash = ?3 ORDER BY evidence.seq LIMIT ?4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id_bytes(owner))
            .bind(&content.as_bytes()[..8])
            .bind(content.as_bytes().as_slice())
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// The records with `seq` in `[first, first + count)`, in order.
    async fn evidence_range(&self, first: u64, count: u64) -> anyhow::Result<Vec<EvidenceRecord>> {
        self.evidence_rows(first, count).await?.iter().map(record_from_row).collect()
    }

    /// The leaf hashes of `seq` in `[first, first + count)`, in order. They come back as one
    /// row (the hashes in hex, concatenated): sqlx hands each row over from its SQLite thread
    /// separately, which made the 256 rows of a receipt's tile a millisecond.
    async fn leaf_hashes(&self, first: u64, count: u64) -> anyhow::Result<Vec<Hash>> {
        let hex: Option<String> = sqlx::query_scalar(
            "SELECT group_concat(hex(leaf_hash), '' ORDER BY seq) FROM evidence WHERE seq >= ? AND seq < ?",
        )
        .bind(first as i64)
        .bind((first + count) as i64)
        .fetch_one(self.pool())
        .await?;
        let bytes = hex::decode(hex.unwrap_or_default()).context("leaf hashes in hex")?;
        anyhow::ensure!(bytes.len().is_multiple_of(32), "leaf hashes of seq {first}..: one is not 32 bytes");
        Ok(bytes.chunks_exact(32).map(|c| Hash(c.try_into().expect("32 bytes"))).collect())
    }

    /// The highest sequence number written, if any.
    async fn max_seq(&self) -> anyhow::Result<Option<u64>> {
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM evidence").fetch_one(self.pool()).await?;
        Ok(max.map(|m| m as u64))
    }

    /// The records with these sequence numbers (an invoice's, a claim's, a void's), in the
    /// order given: one statement for a whole page.
    async fn records_at(&self, seqs: &[u64]) -> anyhow::Result<Vec<EvidenceRecord>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {COLUMNS} FROM evidence WHERE seq IN (SELECT value FROM json_each(?))");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(serde_json::to_string(seqs).context("sequence numbers as JSON")?)
            .fetch_all(self.pool())
            .await
            .context("reading the records of invoices")?;
        let records = rows.iter().map(record_from_row).collect::<anyhow::Result<Vec<_>>>()?;
        seqs.iter()
            .map(|&seq| {
                records.iter().find(|r| r.seq == seq).cloned().with_context(|| format!("record {seq} is missing"))
            })
            .collect()
    }

    async fn evidence_count(&self) -> anyhow::Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM evidence").fetch_one(self.pool()).await?;
        Ok(n as u64)
    }
}

impl SqliteStore {
    /// The undecoded rows with `seq` in `[first, first + count)`, in order.
    pub(super) async fn evidence_rows(&self, first: u64, count: u64) -> anyhow::Result<Vec<SqliteRow>> {
        let sql = format!("SELECT {COLUMNS} FROM evidence WHERE seq >= ? AND seq < ? ORDER BY seq");
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(first as i64)
            .bind((first + count) as i64)
            .fetch_all(self.pool())
            .await?)
    }
}

/// The sequence number after the highest written, read inside the writer's transaction (the
/// write lock is held, so no other writer can take it before the commit).
pub(super) async fn next_seq_on(conn: &mut SqliteConnection) -> anyhow::Result<u64> {
    let next: i64 = sqlx::query_scalar("SELECT coalesce(MAX(seq), -1) + 1 FROM evidence").fetch_one(&mut *conn).await?;
    u64::try_from(next).context("the next sequence number")
}

/// The recorded idempotency keys among `wanted` (owner and key), in one statement for a whole
/// group of submissions.
pub(super) async fn idempotency_seen(
    conn: &mut SqliteConnection,
    wanted: &[(TenantId, &str)],
) -> anyhow::Result<SeenKeys> {
    if wanted.is_empty() {
        return Ok(SeenKeys::new());
    }
    let pairs: Vec<(String, &str)> = wanted.iter().map(|(o, k)| (hex::encode(id_bytes(o)), *k)).collect();
    let rows = sqlx::query(
        "SELECT i.tenant_id, i.key, i.request_hash, i.first_seq, i.count FROM json_each(?) j \
         JOIN idempotency i ON i.tenant_id = unhex(j.value ->> 0) AND i.key = j.value ->> 1",
    )
    .bind(serde_json::to_string(&pairs).context("idempotency keys as JSON")?)
    .fetch_all(&mut *conn)
    .await
    .context("reading idempotency keys")?;
    rows.iter()
        .map(|r| {
            let rec = IdempotencyRecord {
                request_hash: codec::hash(r, "request_hash")?,
                first_seq: r.try_get::<i64, _>("first_seq")? as u64,
                count: r.try_get::<i64, _>("count")? as u64,
            };
            Ok(((codec::tenant_id(r, "tenant_id")?, r.try_get::<String, _>("key")?), rec))
        })
        .collect()
}

pub(super) async fn idempotency_put(
    conn: &mut SqliteConnection,
    owner: &TenantId,
    key: &str,
    rec: &IdempotencyRecord,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO idempotency (tenant_id, key, request_hash, first_seq, count) VALUES (?, ?, ?, ?, ?)")
        .bind(id_bytes(owner))
        .bind(key)
        .bind(rec.request_hash.as_bytes().as_slice())
        .bind(rec.first_seq as i64)
        .bind(rec.count as i64)
        .execute(&mut *conn)
        .await
        .context("recording the idempotency key")?;
    Ok(())
}

/// Inserts records with multi-row statements (inside the caller's transaction).
pub(super) async fn insert_evidence(conn: &mut SqliteConnection, records: &[&EvidenceRecord]) -> anyhow::Result<()> {
    for chunk in records.chunks(ROWS_PER_INSERT) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!("INSERT INTO evidence ({COLUMNS}) "));
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.seq as i64)
                .push_bind(id_bytes(&r.id))
                .push_bind(id_bytes(&r.owner))
                .push_bind(codec::stored(r.kind))
                .push_bind(r.content_hash.as_bytes().to_vec())
                .push_bind(codec::salt_bytes(r.salt))
                .push_bind(codec::meta_hash_bytes(&r.meta_hash))
                .push_bind(r.metadata.as_ref().map(|m| {
                    String::from_utf8(canonical_json(&serde_json::Value::Object(m.clone()))).expect("JSON is UTF-8")
                }))
                .push_bind(r.received.unix_millis())
                .push_bind(r.leaf_hash.as_bytes().to_vec());
        });
        q.build().execute(&mut *conn).await.context("inserting evidence")?;
    }
    Ok(())
}

pub(super) fn record_from_row(r: &SqliteRow) -> anyhow::Result<EvidenceRecord> {
    let metadata: Option<String> = r.try_get("metadata")?;
    let kind: EvidenceKind = codec::word(r, "kind")?;
    let salt = check_erased_salt(kind, codec::salt_unless_erased(r, "salt")?)?;
    Ok(EvidenceRecord {
        seq: r.try_get::<i64, _>("seq")? as u64,
        id: codec::evidence_id(r, "id")?,
        owner: codec::tenant_id(r, "tenant_id")?,
        kind,
        content_hash: codec::hash(r, "content_hash")?,
        salt,
        meta_hash: codec::meta_hash(r, "meta_hash")?,
        metadata: metadata.map(|m| serde_json::from_str(&m)).transpose().context("stored metadata")?,
        received: codec::time(r, "received_ms")?,
        leaf_hash: codec::hash(r, "leaf_hash")?,
    })
}
