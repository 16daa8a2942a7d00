//! The SQLite evidence writer: one transaction per group of submissions, multi-row inserts,
//! arrival sequence numbers allocated inside the transaction (after `BEGIN IMMEDIATE` no other
//! writer can take one before the commit), so that several writers on one database never
//! collide. What does not depend on the database is [`crate::store::write_plan`]'s.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;

use super::evidence::{idempotency_put, idempotency_seen, insert_evidence, next_seq_on};
use crate::domain::Timestamp;
use crate::store::sql::{apply_invoice_op, insert_images};
use crate::store::write_plan::{self, created, decided, op_record};
use crate::store::writer::{Outcome, RecordWriter, Submission};

/// Owns a connection of its own; keeps no sequence number between writes.
pub struct SqliteWriter {
    conn: SqliteConnection,
}

impl SqliteWriter {
    pub(super) fn new(conn: SqliteConnection) -> Self {
        Self { conn }
    }
}

#[async_trait]
impl RecordWriter for SqliteWriter {
    async fn write(&mut self, submissions: &[Submission]) -> anyhow::Result<Vec<Outcome>> {
        // One arrival time for the whole group, invoice operations included.
        let received = Timestamp::now();
        // Idempotency reads, salts and leaf hashes happen before the transaction: the write
        // lock is held for the numbering and the inserts alone (holding it while hashing a
        // whole group starved the sealer's writes).
        let seen = idempotency_seen(&mut self.conn, &write_plan::wanted_keys(submissions)).await?;
        let plan = write_plan::plan(submissions, &seen, received)?;
        // IMMEDIATE: the write lock is taken at BEGIN (waiting up to the busy timeout), never
        // by upgrading a read, which fails at once with SQLITE_BUSY after another write.
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await.context("beginning the write")?;
        let numbered = plan.number(submissions, next_seq_on(&mut tx).await?)?;
        for (owner, key, rec) in &numbered.keys {
            idempotency_put(&mut tx, owner, key, rec).await?;
        }
        let (mut outcomes, mut next) = (numbered.outcomes, numbered.next);
        for (s, slot) in submissions.iter().zip(outcomes.iter_mut()) {
            let Some(op) = &s.op else { continue };
            let mut record = op_record(s, received)?;
            record.seq = next;
            *slot = Some(match apply_invoice_op(&mut *tx, op, &s.owner, &record).await? {
                Ok(()) => {
                    next += 1;
                    Outcome::Created(vec![record])
                }
                Err(refused) => Outcome::Refused(refused),
            });
        }
        let outcomes = decided(outcomes)?;
        insert_evidence(&mut tx, &created(&outcomes)).await?;
        insert_images(&mut *tx, &write_plan::images(submissions, &outcomes)?).await?;
        tx.commit().await.context("committing the write")?;
        Ok(outcomes)
    }
}
