//! Registered images: the row each image registration adds beside its evidence record (written
//! by the evidence writer in the same transaction), and the reads search and pages make.

use anyhow::Context;
use async_trait::async_trait;
use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;

use super::SqliteStore;
use crate::domain::Hash;
use crate::fingerprint::pdq::Pdq;
use crate::store::columns::{fingerprint_bytes, fingerprints_into};
use crate::store::images::{ImageRow, ImageStore, NewImage};

#[async_trait]
impl ImageStore for SqliteStore {
    /// Every stored fingerprint, record by record, in arrival order: the search index's source.
    async fn image_fingerprints(&self, each: &mut (dyn for<'p> FnMut(u64, &'p [Pdq]) + Send)) -> anyhow::Result<()> {
        let mut rows = sqlx::query("SELECT seq, fingerprints FROM images WHERE length(fingerprints) > 0 ORDER BY seq")
            .fetch(self.pool());
        let mut hashes = Vec::new();
        while let Some(row) = rows.try_next().await? {
            let seq: i64 = row.try_get("seq")?;
            let blob: Vec<u8> = row.try_get("fingerprints")?;
            fingerprints_into(&blob, &mut hashes).with_context(|| format!("the fingerprints of record {seq}"))?;
            each(seq as u64, &hashes);
        }
        Ok(())
    }

    /// The sequence numbers of images registered with exactly this content, earliest first.
    async fn images_with_content(&self, hash: &Hash, limit: u32) -> anyhow::Result<Vec<u64>> {
        let rows = sqlx::query("SELECT seq FROM images WHERE content_hash = ? ORDER BY seq LIMIT ?")
            .bind(hash.0.as_slice())
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(r.try_get::<i64, _>("seq")? as u64)).collect()
    }

    /// The image row of record `seq`, if it is a registered image.
    async fn image(&self, seq: u64) -> anyhow::Result<Option<ImageRow>> {
        let row = sqlx::query("SELECT seq, public FROM images WHERE seq = ?")
            .bind(seq as i64)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| Ok(ImageRow { seq, public: r.try_get::<i64, _>("public")? == 1 })).transpose()
    }

    async fn images(&self, seqs: &[u64]) -> anyhow::Result<Vec<ImageRow>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let wanted = serde_json::to_string(seqs).context("sequence numbers as JSON")?;
        let rows =
            sqlx::query("SELECT seq, public FROM images WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq")
                .bind(wanted)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(ImageRow { seq: r.try_get::<i64, _>("seq")? as u64, public: r.try_get::<i64, _>("public")? == 1 })
            })
            .collect()
    }

    /// The thumbnail of record `seq`.
    async fn image_thumbnail(&self, seq: u64) -> anyhow::Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT thumbnail FROM images WHERE seq = ?")
            .bind(seq as i64)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("thumbnail")).transpose()?)
    }
}

/// Adds the image row of the record `seq` (inside the writer's transaction).
pub(super) async fn insert_image(
    conn: &mut SqliteConnection,
    seq: u64,
    content_hash: &Hash,
    image: &NewImage,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO images (seq, content_hash, public, fingerprints, thumbnail) VALUES (?, ?, ?, ?, ?)")
        .bind(seq as i64)
        .bind(content_hash.0.as_slice())
        .bind(i64::from(image.public))
        .bind(fingerprint_bytes(&image.fingerprints))
        .bind(image.thumbnail.as_slice())
        .execute(conn)
        .await
        .context("inserting the image row")?;
    Ok(())
}
