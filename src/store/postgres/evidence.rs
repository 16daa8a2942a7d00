//! Evidence records, the idempotency keys of the requests that created them, and the
//! coordination row that numbers them.

use anyhow::Context;
use sqlx::postgres::PgConnection;

use super::PgStore;
use super::codec::{self, big, id_bytes};
use crate::domain::TenantId;
use crate::domain::canonical::canonical_json;
use crate::store::evidence::{EvidenceRecord, IdempotencyRecord};
use crate::store::rows;
use crate::store::sql::{EVIDENCE_COLUMNS, EvidenceDialect};
use crate::store::write_plan::SeenKeys;

/// Records per epoch of the content index, as a shift: `seq >> 16` (migration 0001).
const EPOCH_BITS: u32 = 16;

/// The content index is keyed by epoch, then the hash's first 8 bytes (migration 0001): one probe
/// per epoch, oldest first, with the index's own expressions so that it is used.
impl EvidenceDialect for PgStore {
    fn by_content(&self) -> String {
        format!(
            "SELECT r.* FROM generate_series(0, (SELECT max(seq) >> {EPOCH_BITS} FROM evidence)) AS epochs(e), \
             LATERAL (SELECT {EVIDENCE_COLUMNS} FROM evidence \
               WHERE (seq >> {EPOCH_BITS}) = epochs.e AND substr(content_hash, 1, 8) = $2 \
                 AND tenant_id = $1 AND content_hash = $3) r \
             ORDER BY r.seq LIMIT $4"
        )
    }

    const LEAF_HASHES: &'static str = "SELECT string_agg(leaf_hash, ''::bytea ORDER BY seq) AS leaves FROM evidence \
         WHERE seq >= $1 AND seq < $2";
}

/// Locks the coordination row and reads the next sequence number: the first statement of the
/// writer's transaction. Another writer's transaction waits here until this one ends.
pub(super) async fn lock_next_seq(conn: &mut PgConnection) -> anyhow::Result<u64> {
    let next: i64 = sqlx::query_scalar("SELECT next_seq FROM log_state WHERE id = 1 FOR UPDATE")
        .fetch_one(&mut *conn)
        .await
        .context("locking the coordination row")?;
    u64::try_from(next).context("the next sequence number")
}

/// Moves the coordination row on to `next` (inside the transaction that locked it).
pub(super) async fn set_next_seq(conn: &mut PgConnection, next: u64) -> anyhow::Result<()> {
    sqlx::query("UPDATE log_state SET next_seq = $1 WHERE id = 1")
        .bind(big(next))
        .execute(&mut *conn)
        .await
        .context("moving the coordination row")?;
    Ok(())
}

/// The recorded idempotency keys among `wanted` (owner and key), in one statement.
pub(super) async fn idempotency_seen(conn: &mut PgConnection, wanted: &[(TenantId, &str)]) -> anyhow::Result<SeenKeys> {
    if wanted.is_empty() {
        return Ok(SeenKeys::new());
    }
    let (owners, keys): (Vec<Vec<u8>>, Vec<&str>) = wanted.iter().map(|(o, k)| (id_bytes(o), *k)).unzip();
    let rows = sqlx::query(
        "SELECT i.tenant_id, i.key, i.request_hash, i.first_seq, i.count \
         FROM unnest($1::bytea[], $2::text[]) AS w(tenant_id, key) \
         JOIN idempotency i ON i.tenant_id = w.tenant_id AND i.key = w.key",
    )
    .bind(owners)
    .bind(keys)
    .fetch_all(&mut *conn)
    .await
    .context("reading idempotency keys")?;
    rows.iter().map(rows::idempotency).collect()
}

/// Records the new keys of a group (inside the writer's transaction).
pub(super) async fn idempotency_put(
    conn: &mut PgConnection,
    keys: &[(TenantId, &str, IdempotencyRecord)],
) -> anyhow::Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO idempotency (tenant_id, key, request_hash, first_seq, count) \
         SELECT * FROM unnest($1::bytea[], $2::text[], $3::bytea[], $4::bigint[], $5::bigint[])",
    )
    .bind(keys.iter().map(|(o, _, _)| id_bytes(o)).collect::<Vec<_>>())
    .bind(keys.iter().map(|(_, k, _)| *k).collect::<Vec<_>>())
    .bind(keys.iter().map(|(_, _, r)| r.request_hash.as_bytes().to_vec()).collect::<Vec<_>>())
    .bind(keys.iter().map(|(_, _, r)| big(r.first_seq)).collect::<Vec<_>>())
    .bind(keys.iter().map(|(_, _, r)| big(r.count)).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await
    .context("recording idempotency keys")?;
    Ok(())
}

/// Inserts records with one statement of eleven bound arrays, however many there are (inside the
/// caller's transaction): no limit on bound parameters, one plan.
pub(super) async fn insert_evidence(conn: &mut PgConnection, records: &[&EvidenceRecord]) -> anyhow::Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let column = |f: &dyn Fn(&EvidenceRecord) -> Vec<u8>| records.iter().map(|r| f(r)).collect::<Vec<_>>();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO evidence ({EVIDENCE_COLUMNS}) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], \
         $4::text[], $5::bytea[], $6::bytea[], $7::bytea[], $8::text[], $9::bigint[], $10::bytea[], $11::bytea[])"
    )))
    .bind(records.iter().map(|r| big(r.seq)).collect::<Vec<_>>())
    .bind(column(&|r| id_bytes(&r.id)))
    .bind(column(&|r| id_bytes(&r.owner)))
    .bind(records.iter().map(|r| codec::stored(r.kind)).collect::<Vec<_>>())
    .bind(column(&|r| r.content_hash.as_bytes().to_vec()))
    .bind(column(&|r| codec::salt_bytes(r.salt)))
    .bind(column(&|r| codec::meta_hash_bytes(&r.meta_hash)))
    .bind(
        records
            .iter()
            .map(|r| {
                r.metadata.as_ref().map(|m| {
                    String::from_utf8(canonical_json(&serde_json::Value::Object(m.clone()))).expect("JSON is UTF-8")
                })
            })
            .collect::<Vec<_>>(),
    )
    .bind(records.iter().map(|r| r.received.unix_millis()).collect::<Vec<_>>())
    .bind(column(&|r| r.leaf_hash.as_bytes().to_vec()))
    .bind(records.iter().map(|r| r.meta_salt.map(|s| s.as_bytes().to_vec())).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await
    .context("inserting evidence")?;
    Ok(())
}
