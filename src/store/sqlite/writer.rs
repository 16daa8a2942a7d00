//! The SQLite evidence writer: one transaction per group of submissions, multi-row inserts,
//! arrival sequence numbers allocated inside the transaction (after `BEGIN IMMEDIATE` no other
//! writer can take one before the commit), so that several writers on one database never
//! collide. What does not depend on the database is [`crate::store::write_plan`]'s.
//!
//! A failed write (no space, an I/O error, a lock held too long) discards its connection: SQLite
//! may already have rolled the transaction back when a `COMMIT` fails (`SQLITE_FULL`), and sqlx
//! then still counts it open, so every later `BEGIN` on that connection would fail. The next
//! write opens a fresh connection and goes on as soon as the cause is gone.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use super::evidence::{idempotency_put, idempotency_seen, insert_evidence, next_seq_on};
use super::page_limit::PageLimit;
use crate::domain::Timestamp;
use crate::store::sql::{apply_invoice_ops, insert_images};
use crate::store::write_plan::{self, created};
use crate::store::writer::{Outcome, RecordWriter, Submission};

/// Owns a connection of its own (none after a failed write, until the next one); keeps no
/// sequence number between writes.
pub struct SqliteWriter {
    conn: Option<SqliteConnection>,
    options: SqliteConnectOptions,
    page_limit: PageLimit,
}

impl SqliteWriter {
    /// Opens the writer's connection now, so that a database unusable at start is found at start.
    pub(super) async fn open(options: SqliteConnectOptions, page_limit: PageLimit) -> anyhow::Result<Self> {
        let conn = SqliteConnection::connect_with(&options).await.context("opening the writer connection")?;
        Ok(Self { conn: Some(conn), options, page_limit })
    }
}

#[async_trait]
impl RecordWriter for SqliteWriter {
    async fn write(&mut self, submissions: &[Submission]) -> anyhow::Result<Vec<Outcome>> {
        let conn = match &mut self.conn {
            Some(conn) => conn,
            None => self.conn.insert(
                SqliteConnection::connect_with(&self.options).await.context("reopening the writer connection")?,
            ),
        };
        let written = async {
            self.page_limit.apply(conn).await.context("applying the test page limit")?;
            write_group(conn, submissions).await
        }
        .await;
        if written.is_err()
            && let Some(conn) = self.conn.take()
            && let Err(e) = conn.close().await
        {
            tracing::debug!("closing the failed writer connection: {e:#}");
        }
        written
    }
}

/// One transaction for the whole group; on error nothing is written.
async fn write_group(conn: &mut SqliteConnection, submissions: &[Submission]) -> anyhow::Result<Vec<Outcome>> {
    // One arrival time for the whole group, invoice operations included.
    let received = Timestamp::now();
    // Idempotency reads, salts and leaf hashes happen before the transaction: the write
    // lock is held for the numbering and the inserts alone (holding it while hashing a
    // whole group starved the sealer's writes).
    let seen = idempotency_seen(conn, &write_plan::wanted_keys(submissions)).await?;
    let plan = write_plan::plan(submissions, &seen, received)?;
    // IMMEDIATE: the write lock is taken at BEGIN (waiting up to the busy timeout), never
    // by upgrading a read, which fails at once with SQLITE_BUSY after another write.
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.context("beginning the write")?;
    let numbered = plan.number(submissions, next_seq_on(&mut tx).await?)?;
    for (owner, key, rec) in &numbered.keys {
        idempotency_put(&mut tx, owner, key, rec).await?;
    }
    let (outcomes, _) = apply_invoice_ops(&mut *tx, submissions, numbered, received).await?;
    insert_evidence(&mut tx, &created(&outcomes)).await?;
    insert_images(&mut *tx, &write_plan::images(submissions, &outcomes)?).await?;
    tx.commit().await.context("committing the write")?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, Executor};

    use super::SqliteWriter;
    use crate::domain::{EvidenceKind, Hash, TenantRole};
    use crate::store::sqlite::{PageLimit, SqliteStore};
    use crate::store::writer::{Outcome, RecordWriter, Submission};
    use crate::store::{NewEvidence, TenantStore};

    #[tokio::test]
    async fn a_failed_write_leaves_the_writer_usable() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let (tenant, _) = store.create_tenant("t", TenantRole::Merchant, None).await.unwrap();
        let mut writer = SqliteWriter::open(store.options.clone(), PageLimit::default()).await.unwrap();
        // What a COMMIT that SQLite rolled back by itself leaves (SQLITE_FULL on a full disk):
        // sqlx still counts a transaction that SQLite no longer has, so every BEGIN fails.
        let conn = writer.conn.as_mut().unwrap();
        let mut tx = conn.begin().await.unwrap();
        tx.execute("ROLLBACK").await.unwrap();
        assert!(tx.commit().await.is_err());
        assert!(writer.conn.as_mut().unwrap().is_in_transaction());

        let record = |n: u8| NewEvidence { kind: EvidenceKind::Document, content_hash: Hash::of(&[n]), metadata: None };
        let first = [Submission::records(tenant.id, vec![record(1)], None)];
        let failed = writer.write(&first).await.expect_err("the wedged connection fails once");
        assert!(format!("{failed:#}").contains("beginning the write"), "{failed:#}");
        let second = [Submission::records(tenant.id, vec![record(2)], None)];
        let written = writer.write(&second).await.expect("the next write goes through");
        assert!(matches!(written.as_slice(), [Outcome::Created(records)] if records[0].seq == 0), "{written:?}");
    }
}
