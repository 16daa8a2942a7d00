//! Registered images on any SQL backend: the row each image registration adds beside its
//! evidence record (written by the evidence writer in the same transaction), and the reads
//! search and pages make.

use anyhow::Context;
use async_trait::async_trait;

use super::{Sql, SqlConn, args};
use crate::domain::Hash;
use crate::fingerprint::pdq::Pdq;
use crate::store::columns::{fingerprint_bytes, fingerprints_into};
use crate::store::evidence::EvidenceRecord;
use crate::store::images::{ImageRow, ImageStore, NewImage};
use crate::store::rows::{self, StoredRow};

#[async_trait]
impl<S: Sql> ImageStore for S {
    /// Every stored fingerprint, record by record, in arrival order: the search index's source,
    /// read as a stream (the rows of millions of images are never held at once).
    async fn image_fingerprints(&self, each: &mut (dyn for<'p> FnMut(u64, &'p [Pdq]) + Send)) -> anyhow::Result<()> {
        let sql = "SELECT seq, fingerprints FROM images WHERE length(fingerprints) > 0 ORDER BY seq";
        let mut hashes = Vec::new();
        self.for_each(sql, args![], &mut |row| {
            let seq = row.uint("seq")?;
            fingerprints_into(&row.bytes("fingerprints")?, &mut hashes)
                .with_context(|| format!("the fingerprints of record {seq}"))?;
            each(seq, &hashes);
            Ok(())
        })
        .await
    }

    /// The sequence numbers of images registered with exactly this content, earliest first.
    async fn images_with_content(&self, hash: &Hash, limit: u32) -> anyhow::Result<Vec<u64>> {
        let sql = "SELECT seq FROM images WHERE content_hash = $1 ORDER BY seq LIMIT $2";
        self.fetch_all(sql, args![hash.as_bytes(), limit]).await?.iter().map(|r| r.uint("seq")).collect()
    }

    /// The image row of record `seq`, if it is a registered image.
    async fn image(&self, seq: u64) -> anyhow::Result<Option<ImageRow>> {
        let row = self.fetch_optional("SELECT seq, public FROM images WHERE seq = $1", args![seq]).await?;
        row.as_ref().map(rows::image).transpose()
    }

    /// The image rows of these records, in arrival order (records that are not images left out).
    async fn images(&self, seqs: &[u64]) -> anyhow::Result<Vec<ImageRow>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT seq, public FROM images WHERE seq IN {} ORDER BY seq", self.list(1));
        self.fetch_all(&sql, args![seqs]).await?.iter().map(rows::image).collect()
    }

    /// The thumbnail of record `seq`.
    async fn image_thumbnail(&self, seq: u64) -> anyhow::Result<Option<Vec<u8>>> {
        let row = self.fetch_optional("SELECT thumbnail FROM images WHERE seq = $1", args![seq]).await?;
        row.map(|r| r.bytes("thumbnail")).transpose()
    }
}

/// Adds the image rows of a group's records (inside the writer's transaction).
pub(crate) async fn insert_images<C: SqlConn>(
    conn: &mut C,
    images: &[(&EvidenceRecord, &NewImage)],
) -> anyhow::Result<()> {
    let sql = "INSERT INTO images (seq, content_hash, public, fingerprints, thumbnail) VALUES ($1, $2, $3, $4, $5)";
    for (record, image) in images {
        let args = args![
            record.seq,
            record.content_hash.as_bytes(),
            image.public,
            fingerprint_bytes(&image.fingerprints),
            image.thumbnail.as_slice()
        ];
        conn.execute(sql, args).await.context("inserting the image row")?;
    }
    Ok(())
}
