//! The PostgreSQL evidence writer: one transaction per group of submissions on a pooled
//! connection. The transaction first locks the coordination row (`log_state`), numbers its
//! records from it, applies the invoice operations under row locks, inserts, moves the row on
//! and commits; the lock is held to the commit, so writers in every process commit in sequence
//! order and no number is skipped or taken twice. What does not depend on the database is
//! [`crate::store::write_plan`]'s.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::postgres::PgPool;

use super::evidence::{idempotency_put, idempotency_seen, insert_evidence, lock_next_seq, set_next_seq};
use crate::domain::Timestamp;
use crate::store::sql::{apply_invoice_op, insert_images};
use crate::store::write_plan::{self, created, decided, op_record};
use crate::store::writer::{Outcome, RecordWriter, Submission};

/// Takes a connection from the pool for each group (a broken connection is replaced by the
/// pool, not kept); keeps no sequence number between writes.
pub struct PgWriter {
    pool: PgPool,
}

impl PgWriter {
    pub(super) fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl RecordWriter for PgWriter {
    async fn write(&mut self, submissions: &[Submission]) -> anyhow::Result<Vec<Outcome>> {
        // One arrival time for the whole group, invoice operations included.
        let received = Timestamp::now();
        let mut conn = self.pool.acquire().await.context("a connection for the writer")?;
        // Idempotency reads, salts and leaf hashes before the transaction: the coordination row
        // is held for the numbering, the operations and the inserts alone.
        let seen = idempotency_seen(&mut conn, &write_plan::wanted_keys(submissions)).await?;
        let plan = write_plan::plan(submissions, &seen, received)?;
        let mut tx = sqlx::Connection::begin(&mut *conn).await.context("beginning the write")?;
        let first = lock_next_seq(&mut tx).await?;
        let numbered = plan.number(submissions, first)?;
        idempotency_put(&mut tx, &numbered.keys).await?;
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
        if next != first {
            set_next_seq(&mut tx, next).await?;
        }
        tx.commit().await.context("committing the write")?;
        Ok(outcomes)
    }
}
