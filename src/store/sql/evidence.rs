//! Reading evidence records, on any SQL backend. Writing them is the writer's (each backend's
//! own, for its bulk-insert form).

use anyhow::Context;
use async_trait::async_trait;

use super::{Sql, args, number};
use crate::domain::{EvidenceId, Hash, TenantId};
use crate::store::columns::id_bytes;
use crate::store::evidence::{EvidenceRecord, EvidenceStore};
use crate::store::rows::{self, StoredRow};

/// The columns [`rows::record`] reads.
pub(crate) const EVIDENCE_COLUMNS: &str =
    "seq, id, tenant_id, kind, content_hash, salt, meta_hash, metadata, received_ms, leaf_hash, meta_salt";

/// The evidence reads whose SQL differs between the dialects.
pub(crate) trait EvidenceDialect {
    /// The owner's records with a content hash, oldest first, through the content index
    /// (one probe per epoch): `$1` the owner, `$2` the hash's first 8 bytes, `$3` the hash,
    /// `$4` the limit; the columns [`EVIDENCE_COLUMNS`].
    fn by_content(&self) -> String;
    /// One row, one blob `leaves`: the leaf hashes of `seq` in `[$1, $2)` concatenated in order
    /// (one row rather than one per record: sqlx hands rows over one by one).
    const LEAF_HASHES: &'static str;
}

#[async_trait]
impl<S: Sql + EvidenceDialect> EvidenceStore for S {
    async fn evidence_by_id(&self, id: &EvidenceId) -> anyhow::Result<Option<EvidenceRecord>> {
        let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE id = $1");
        self.fetch_optional(&sql, args![id_bytes(id)]).await?.as_ref().map(rows::record).transpose()
    }

    /// The owner's records, newest first, with `seq` below `before` when given.
    async fn evidence_page(
        &self,
        owner: &TenantId,
        before: Option<u64>,
        limit: u32,
    ) -> anyhow::Result<Vec<EvidenceRecord>> {
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE tenant_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"
        );
        let rows = self.fetch_all(&sql, args![id_bytes(owner), before.unwrap_or(u64::MAX), limit]).await?;
        rows.iter().map(rows::record).collect()
    }

    /// The owner's records with this content hash, oldest first (at most `limit`).
    async fn evidence_by_content(
        &self,
        owner: &TenantId,
        content: &Hash,
        limit: u32,
    ) -> anyhow::Result<Vec<EvidenceRecord>> {
        let hash = content.as_bytes();
        let rows = self.fetch_all(&self.by_content(), args![id_bytes(owner), &hash[..8], hash, limit]).await?;
        rows.iter().map(rows::record).collect()
    }

    /// The records with `seq` in `[first, first + count)`, in order.
    async fn evidence_range(&self, first: u64, count: u64) -> anyhow::Result<Vec<EvidenceRecord>> {
        let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE seq >= $1 AND seq < $2 ORDER BY seq");
        let rows = self.fetch_all(&sql, args![first, first.saturating_add(count)]).await?;
        rows.iter().map(rows::record).collect()
    }

    /// The leaf hashes of `seq` in `[first, first + count)`, in order.
    async fn leaf_hashes(&self, first: u64, count: u64) -> anyhow::Result<Vec<Hash>> {
        let row = self.fetch_optional(Self::LEAF_HASHES, args![first, first.saturating_add(count)]).await?;
        let bytes = row.map(|r| r.maybe_bytes("leaves")).transpose()?.flatten().unwrap_or_default();
        anyhow::ensure!(bytes.len().is_multiple_of(32), "leaf hashes of seq {first}..: one is not 32 bytes");
        Ok(bytes.chunks_exact(32).map(|c| Hash(c.try_into().expect("32 bytes"))).collect())
    }

    /// The records with these sequence numbers (an invoice's, a claim's, a void's), in the
    /// order given: one statement for a whole page.
    async fn records_at(&self, seqs: &[u64]) -> anyhow::Result<Vec<EvidenceRecord>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE seq IN {}", self.list(1));
        let rows = self.fetch_all(&sql, args![seqs]).await.context("reading records by sequence number")?;
        let records = rows.iter().map(rows::record).collect::<anyhow::Result<Vec<_>>>()?;
        seqs.iter()
            .map(|&seq| {
                records.iter().find(|r| r.seq == seq).cloned().with_context(|| format!("record {seq} is missing"))
            })
            .collect()
    }

    /// The highest sequence number written, if any.
    async fn max_seq(&self) -> anyhow::Result<Option<u64>> {
        number(self, "SELECT max(seq) AS n FROM evidence", args![]).await
    }

    async fn evidence_count(&self) -> anyhow::Result<u64> {
        Ok(number(self, "SELECT count(*) AS n FROM evidence", args![]).await?.unwrap_or(0))
    }
}
