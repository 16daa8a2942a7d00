//! Evidence records, and the idempotency keys of the requests that created them.

use anyhow::Context;
use sqlx::sqlite::SqliteConnection;
use sqlx::{QueryBuilder, Sqlite};

use super::SqliteStore;
use super::codec::{self, id_bytes};
use crate::domain::TenantId;
use crate::domain::canonical::canonical_json;
use crate::store::evidence::{EvidenceRecord, IdempotencyRecord};
use crate::store::rows;
use crate::store::sql::{EVIDENCE_COLUMNS, EvidenceDialect};
use crate::store::write_plan::SeenKeys;

/// Records per epoch of the content index, as a shift: `seq >> 16` (migration 0010).
const EPOCH_BITS: u32 = 16;
/// SQLite allows 32,766 bound parameters per statement; eleven per row.
const ROWS_PER_INSERT: usize = 2900;

/// The content index is keyed by epoch, then the hash's first 8 bytes (migration 0010): one probe
/// per epoch, oldest first, with the index's own expressions so that it is used. `epochs` has
/// only the column `e`, so the record's columns need no table name. Leaf hashes are joined as
/// hex (`group_concat` reads blobs as text) and turned back into one blob.
impl EvidenceDialect for SqliteStore {
    fn by_content(&self) -> String {
        format!(
            "WITH RECURSIVE epochs(e) AS ( \
               SELECT 0 UNION ALL SELECT e + 1 FROM epochs WHERE e < (SELECT MAX(seq) >> {EPOCH_BITS} FROM evidence)) \
             SELECT {EVIDENCE_COLUMNS} FROM epochs CROSS JOIN evidence INDEXED BY evidence_content_epoch \
               ON (evidence.seq >> {EPOCH_BITS}) = epochs.e AND substr(evidence.content_hash, 1, 8) = $2 \
             WHERE evidence.tenant_id = $1 AND evidence.content_hash = $3 ORDER BY evidence.seq LIMIT $4"
        )
    }

    const LEAF_HASHES: &'static str = "SELECT unhex(group_concat(hex(leaf_hash), '' ORDER BY seq)) AS leaves FROM evidence WHERE seq >= $1 AND seq < $2";
}

/// The sequence number after the highest written, read inside the writer's transaction (the
/// write lock is held, so no other writer can take it before the commit).
pub(super) async fn next_seq_on(conn: &mut SqliteConnection) -> anyhow::Result<u64> {
    // `fetch_all`: read to the end, so that the statement does not stay active (one row).
    let next: i64 = sqlx::query_scalar("SELECT coalesce(MAX(seq), -1) + 1 FROM evidence")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .next()
        .context("no next sequence number")?;
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
    rows.iter().map(rows::idempotency).collect()
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
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!("INSERT INTO evidence ({EVIDENCE_COLUMNS}) "));
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
                .push_bind(r.leaf_hash.as_bytes().to_vec())
                .push_bind(r.meta_salt.map(|s| s.as_bytes().to_vec()));
        });
        q.build().execute(&mut *conn).await.context("inserting evidence")?;
    }
    Ok(())
}
