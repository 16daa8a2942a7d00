//! The PostgreSQL evidence writer: one transaction per group of submissions on a pooled
//! connection. The transaction first locks the coordination row (`log_state`), numbers its
//! records from it, applies the invoice operations under row locks, inserts, moves the row on
//! and commits; the lock is held to the commit, so writers in every process commit in sequence
//! order and no number is skipped or taken twice. What does not depend on the database is
//! [`crate::store::write_plan`]'s.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::postgres::{PgConnection, PgPool};

use super::evidence::{idempotency_put, idempotency_seen, insert_evidence, lock_next_seq, set_next_seq};
use crate::domain::Timestamp;
use crate::store::sql::{apply_invoice_ops, insert_images};
use crate::store::write_plan::{self, created};
use crate::store::writer::{Outcome, RecordWriter, Submission};

/// Takes a connection from the pool for each group (the connection of a failed group is
/// closed, not returned); keeps no sequence number between writes.
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
        let mut conn = self.pool.acquire().await.context("a connection for the writer")?;
        let written = write_group(&mut conn, submissions).await;
        if written.is_err() {
            // Whatever state a failed commit left the connection in (a transaction the server
            // ended, a broken stream), it does not go back to the pool.
            conn.close_on_drop();
        }
        written
    }
}

/// One transaction for the whole group; on error nothing is written.
async fn write_group(conn: &mut PgConnection, submissions: &[Submission]) -> anyhow::Result<Vec<Outcome>> {
    // One arrival time for the whole group, invoice operations included.
    let received = Timestamp::now();
    // Idempotency reads, salts and leaf hashes before the transaction: the coordination row
    // is held for the numbering, the operations and the inserts alone.
    let seen = idempotency_seen(conn, &write_plan::wanted_keys(submissions)).await?;
    let plan = write_plan::plan(submissions, &seen, received)?;
    let mut tx = sqlx::Connection::begin(conn).await.context("beginning the write")?;
    let first = lock_next_seq(&mut tx).await?;
    let numbered = plan.number(submissions, first)?;
    idempotency_put(&mut tx, &numbered.keys).await?;
    let (outcomes, next) = apply_invoice_ops(&mut *tx, submissions, numbered, received).await?;
    insert_evidence(&mut tx, &created(&outcomes)).await?;
    insert_images(&mut *tx, &write_plan::images(submissions, &outcomes)?).await?;
    if next != first {
        set_next_seq(&mut tx, next).await?;
    }
    tx.commit().await.context("committing the write")?;
    Ok(outcomes)
}
