//! Registered images: the row each image registration adds beside its evidence record (written
//! by the evidence writer in the same transaction), and the reads search and pages make.

use anyhow::Context;
use async_trait::async_trait;
use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnection, PgRow};

use super::PgStore;
use super::codec::{self, big, bigs};
use crate::domain::Hash;
use crate::fingerprint::pdq::Pdq;
use crate::store::columns::{fingerprint_bytes, fingerprints_into};
use crate::store::evidence::EvidenceRecord;
use crate::store::images::{ImageRow, ImageStore, NewImage};

#[async_trait]
impl ImageStore for PgStore {
    async fn image_fingerprints(&self, each: &mut (dyn for<'p> FnMut(u64, &'p [Pdq]) + Send)) -> anyhow::Result<()> {
        let mut rows = sqlx::query("SELECT seq, fingerprints FROM images WHERE length(fingerprints) > 0 ORDER BY seq")
            .fetch(self.pool());
        let mut hashes = Vec::new();
        while let Some(row) = rows.try_next().await? {
            let seq = codec::uint(&row, "seq")?;
            let blob: Vec<u8> = codec::get(&row, "fingerprints")?;
            fingerprints_into(&blob, &mut hashes).with_context(|| format!("the fingerprints of record {seq}"))?;
            each(seq, &hashes);
        }
        Ok(())
    }

    async fn images_with_content(&self, hash: &Hash, limit: u32) -> anyhow::Result<Vec<u64>> {
        let rows = sqlx::query("SELECT seq FROM images WHERE content_hash = $1 ORDER BY seq LIMIT $2")
            .bind(hash.0.as_slice())
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| codec::uint(r, "seq")).collect()
    }

    async fn image(&self, seq: u64) -> anyhow::Result<Option<ImageRow>> {
        let row = sqlx::query("SELECT seq, public FROM images WHERE seq = $1")
            .bind(big(seq))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(image_from_row).transpose()
    }

    async fn images(&self, seqs: &[u64]) -> anyhow::Result<Vec<ImageRow>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query("SELECT seq, public FROM images WHERE seq = ANY($1) ORDER BY seq")
            .bind(bigs(seqs))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(image_from_row).collect()
    }

    async fn image_thumbnail(&self, seq: u64) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar("SELECT thumbnail FROM images WHERE seq = $1")
            .bind(big(seq))
            .fetch_optional(self.pool())
            .await?)
    }
}

/// Adds the image rows of a group's records (inside the writer's transaction).
pub(super) async fn insert_images(
    conn: &mut PgConnection,
    images: &[(&EvidenceRecord, &NewImage)],
) -> anyhow::Result<()> {
    for (record, image) in images {
        sqlx::query(
            "INSERT INTO images (seq, content_hash, public, fingerprints, thumbnail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(big(record.seq))
        .bind(record.content_hash.0.as_slice())
        .bind(image.public)
        .bind(fingerprint_bytes(&image.fingerprints))
        .bind(image.thumbnail.as_slice())
        .execute(&mut *conn)
        .await
        .context("inserting the image row")?;
    }
    Ok(())
}

fn image_from_row(r: &PgRow) -> anyhow::Result<ImageRow> {
    Ok(ImageRow { seq: codec::uint(r, "seq")?, public: codec::get(r, "public")? })
}
