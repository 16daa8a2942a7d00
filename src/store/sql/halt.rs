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

    /// Deletes only the row it read, so that a halt recorded meanwhile stays.
    async fn clear_log_halt(&self) -> anyhow::Result<Option<LogHalt>> {
        let Some(halt) = self.log_halt().await.context("reading the halt")? else { return Ok(None) };
        let delete = "DELETE FROM log_halt WHERE id = 1 AND halted_ms = $1";
        let done = self.execute(delete, args![halt.halted]).await.context("deleting the halt")?;
        Ok((done == 1).then_some(halt))
    }
}
