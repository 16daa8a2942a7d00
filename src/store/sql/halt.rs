//! The halt of the log after a fork, on any SQL backend: one row of `log_halt`.

use anyhow::Context;
use async_trait::async_trait;

use super::{Sql, args};
use crate::store::halt::{HaltStore, LogHalt};
use crate::store::rows;

const SELECT: &str = "SELECT reason, witness, height, halted_ms FROM log_halt WHERE id = 1";

#[async_trait]
impl<S: Sql> HaltStore for S {
    async fn log_halt(&self) -> anyhow::Result<Option<LogHalt>> {
        self.fetch_optional(SELECT, args![]).await?.as_ref().map(rows::log_halt).transpose()
    }

    async fn record_log_halt(&self, h: &LogHalt) -> anyhow::Result<LogHalt> {
        let sql = "INSERT INTO log_halt (id, reason, witness, height, halted_ms) VALUES (1, $1, $2, $3, $4) \
             ON CONFLICT (id) DO NOTHING";
        self.execute(sql, args![h.reason.as_str(), h.witness.as_str(), h.height, h.halted]).await?;
        // Lifted in between: this refusal was the halt, for as long as it lasted.
        Ok(self.log_halt().await?.unwrap_or_else(|| h.clone()))
    }

    /// One statement that deletes the halt and returns it: a read followed by a write would, on
    /// SQLite, have to upgrade its read snapshot, which fails at once ("database is locked",
    /// no busy wait) when the running server committed in between.
    async fn clear_log_halt(&self) -> anyhow::Result<Option<LogHalt>> {
        let delete = "DELETE FROM log_halt WHERE id = 1 RETURNING reason, witness, height, halted_ms";
        let row = self.fetch_optional(delete, args![]).await.context("deleting the halt")?;
        row.as_ref().map(rows::log_halt).transpose()
    }
}
