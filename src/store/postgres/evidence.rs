//! Evidence records, the idempotency keys of the requests that created them, and the
//! coordination row that numbers them.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::postgres::{PgConnection, PgRow};

use super::PgStore;
use super::codec::{self, big, bigs, id_bytes};
use crate::domain::canonical::canonical_json;
use crate::domain::{EvidenceId, EvidenceKind, Hash, TenantId};
use crate::store::columns::check_erased_salt;
use crate::store::evidence::{EvidenceRecord, EvidenceStore, IdempotencyRecord};
use crate::store::write_plan::SeenKeys;

pub(super) const COLUMNS: &str =
    "seq, id, tenant_id, kind, content_hash, salt, meta_hash, metadata, received_ms, leaf_hash";
/// Records per epoch of the content index, as a shift: `seq >> 16` (migration 0001).
const EPOCH_BITS: u32 = 16;

#[async_trait]
impl EvidenceStore for PgStore {
    async fn evidence_by_id(&self, id: &EvidenceId) -> anyhow::Result<Option<EvidenceRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM evidence WHERE id = $1")))
            .bind(id_bytes(id))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(record_from_row).transpose()
    }

    async fn evidence_page(
        &self,
        owner: &TenantId,
        before: Option<u64>,
        limit: u32,
    ) -> anyhow::Result<Vec<EvidenceRecord>> {
        let sql =
            format!("SELECT {COLUMNS} FROM evidence WHERE tenant_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id_bytes(owner))
            .bind(before.map_or(i64::MAX, big))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// One probe of the content index per epoch, oldest first, with the index's own
    /// expressions so that it is used.
    async fn evidence_by_content(
        &self,
        owner: &TenantId,
        content: &Hash,
        limit: u32,
    ) -> anyhow::Result<Vec<EvidenceRecord>> {
        let sql = format!(
            "SELECT r.* FROM generate_series(0, (SELECT max(seq) >> {EPOCH_BITS} FROM evidence)) AS epochs(e), \
             LATERAL (SELECT {COLUMNS} FROM evidence \
               WHERE (seq >> {EPOCH_BITS}) = epochs.e AND substr(content_hash, 1, 8) = $2 \
                 AND tenant_id = $1 AND content_hash = $3) r \
             ORDER BY r.seq LIMIT $4"
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

    async fn evidence_range(&self, first: u64, count: u64) -> anyhow::Result<Vec<EvidenceRecord>> {
        self.evidence_rows(first, count).await?.iter().map(record_from_row).collect()
    }

    /// The leaf hashes of `seq` in `[first, first + count)`, in order, as one value.
    async fn leaf_hashes(&self, first: u64, count: u64) -> anyhow::Result<Vec<Hash>> {
        let bytes: Vec<u8> = sqlx::query_scalar(
            "SELECT coalesce(string_agg(leaf_hash, ''::bytea ORDER BY seq), ''::bytea) FROM evidence \
             WHERE seq >= $1 AND seq < $2",
        )
        .bind(big(first))
        .bind(big(first.saturating_add(count)))
        .fetch_one(self.pool())
        .await?;
        anyhow::ensure!(bytes.len().is_multiple_of(32), "leaf hashes of seq {first}..: one is not 32 bytes");
        Ok(bytes.chunks_exact(32).map(|c| Hash(c.try_into().expect("32 bytes"))).collect())
    }

    async fn records_at(&self, seqs: &[u64]) -> anyhow::Result<Vec<EvidenceRecord>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {COLUMNS} FROM evidence WHERE seq = ANY($1)");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(bigs(seqs))
            .fetch_all(self.pool())
            .await
            .context("reading records by sequence number")?;
        let records = rows.iter().map(record_from_row).collect::<anyhow::Result<Vec<_>>>()?;
        seqs.iter()
            .map(|&seq| {
                records.iter().find(|r| r.seq == seq).cloned().with_context(|| format!("record {seq} is missing"))
            })
            .collect()
    }

    async fn max_seq(&self) -> anyhow::Result<Option<u64>> {
        let max: Option<i64> = sqlx::query_scalar("SELECT max(seq) FROM evidence").fetch_one(self.pool()).await?;
        Ok(max.map(|m| m as u64))
    }

    async fn evidence_count(&self) -> anyhow::Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM evidence").fetch_one(self.pool()).await?;
        Ok(n as u64)
    }
}

impl PgStore {
    /// The undecoded rows with `seq` in `[first, first + count)`, in order.
    pub(super) async fn evidence_rows(&self, first: u64, count: u64) -> anyhow::Result<Vec<PgRow>> {
        let sql = format!("SELECT {COLUMNS} FROM evidence WHERE seq >= $1 AND seq < $2 ORDER BY seq");
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(big(first))
            .bind(big(first.saturating_add(count)))
            .fetch_all(self.pool())
            .await?)
    }
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
    rows.iter()
        .map(|r| {
            let rec = IdempotencyRecord {
                request_hash: codec::hash(r, "request_hash")?,
                first_seq: codec::uint(r, "first_seq")?,
                count: codec::uint(r, "count")?,
            };
            Ok(((codec::tenant_id(r, "tenant_id")?, codec::get::<String>(r, "key")?), rec))
        })
        .collect()
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

/// Inserts records with one statement of ten bound arrays, however many there are (inside the
/// caller's transaction): no limit on bound parameters, one plan.
pub(super) async fn insert_evidence(conn: &mut PgConnection, records: &[&EvidenceRecord]) -> anyhow::Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let column = |f: &dyn Fn(&EvidenceRecord) -> Vec<u8>| records.iter().map(|r| f(r)).collect::<Vec<_>>();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO evidence ({COLUMNS}) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], \
         $4::text[], $5::bytea[], $6::bytea[], $7::bytea[], $8::text[], $9::bigint[], $10::bytea[])"
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
    .execute(&mut *conn)
    .await
    .context("inserting evidence")?;
    Ok(())
}

pub(super) fn record_from_row(r: &PgRow) -> anyhow::Result<EvidenceRecord> {
    let metadata: Option<String> = codec::get(r, "metadata")?;
    let kind: EvidenceKind = codec::word(r, "kind")?;
    let salt = check_erased_salt(kind, codec::salt_unless_erased(r, "salt")?)?;
    Ok(EvidenceRecord {
        seq: codec::uint(r, "seq")?,
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
