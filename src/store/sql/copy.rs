//! A database read as the source of a copy ([`CopySource`], `notarium admin migrate`), on any
//! SQL backend: every table in key order a page at a time, each column as the neutral value it
//! holds. How a backend spells the reads and reads its column types is its [`CopyDialect`].

use anyhow::Context;
use async_trait::async_trait;

use super::{Arg, Sql};
use crate::store::copy::{CopySource, Dialect, Row as Values, Table, Value};
use crate::store::rows::StoredRow;

pub(crate) trait CopyDialect: Sql {
    const COPY: Dialect;
    /// The row's values by the table's column kinds, by position.
    fn values(table: &Table, row: &Self::Row) -> anyhow::Result<Values>;
}

fn args(values: &[Value]) -> Vec<Arg> {
    let arg = |v: &Value| match v {
        Value::Null => Arg::Int(None),
        Value::Int(v) => Arg::Int(Some(*v)),
        Value::Text(v) => Arg::Text(Some(v.clone())),
        Value::Bytes(v) => Arg::Bytes(Some(v.clone())),
        Value::Bool(v) => Arg::Flag(*v),
    };
    values.iter().map(arg).collect()
}

#[async_trait]
impl<S: CopyDialect> CopySource for S {
    async fn rows_after(&self, table: &Table, after: Option<&[Value]>, limit: u32) -> anyhow::Result<Vec<Values>> {
        let sql = table.select_after(&S::COPY, after.is_some());
        let mut bound = args(after.unwrap_or_default());
        bound.push(limit.into());
        let rows = self.fetch_all(&sql, bound).await.with_context(|| format!("reading {}", table.name))?;
        rows.iter().map(|row| S::values(table, row)).collect()
    }

    async fn count_through(&self, table: &Table, through: Option<&[Value]>) -> anyhow::Result<u64> {
        let sql = table.count_through(&S::COPY, through.is_some());
        let row = self.fetch_optional(&sql, args(through.unwrap_or_default())).await;
        let row = row.with_context(|| format!("counting {}", table.name))?.context("no count")?;
        row.uint("n")
    }

    async fn row_at(&self, table: &Table, key: &[Value]) -> anyhow::Result<Option<Values>> {
        let row = self.fetch_optional(&table.select_at(&S::COPY), args(key)).await;
        row.with_context(|| format!("reading {}", table.name))?.map(|row| S::values(table, &row)).transpose()
    }

    async fn close(&self) {
        self.close_pool().await;
    }
}
