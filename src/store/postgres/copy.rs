//! The PostgreSQL database as the target of a copy ([`CopyTarget`], `notarium admin migrate`):
//! each page goes in with one binary `COPY` in its own transaction, which also moves the
//! coordination row (evidence) or the identity (the access log) on past the copied rows. Text
//! keys are ordered `COLLATE "C"` (byte by byte), as SQLite's BINARY collation orders them.

use anyhow::{Context, bail};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::PgStore;
use crate::store::copy::{CopyTarget, Dialect, Held, Kind, Numbering, Row as Values, Table, Value};
use crate::store::sql::CopyDialect;

/// Numbered parameters, columns by name, texts compared byte by byte as SQLite compares them.
const POSTGRES: Dialect = Dialect { mark: |i| format!("${}", i + 1), column: |c| c.name, bytewise: " COLLATE \"C\"" };

/// Read as a source to compare the copy with the original, row by row.
impl CopyDialect for PgStore {
    const COPY: Dialect = POSTGRES;

    fn values(table: &Table, row: &PgRow) -> anyhow::Result<Values> {
        values(table, row)
    }
}

#[async_trait]
impl CopyTarget for PgStore {
    async fn held(&self, table: &Table) -> anyhow::Result<Held> {
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {}", table.name)))
            .fetch_one(self.pool())
            .await
            .with_context(|| format!("counting {}", table.name))?;
        let end = |direction: &'static str| async move {
            let order: Vec<String> = table
                .key_columns()
                .iter()
                .map(|c| match c.kind {
                    Kind::Text => format!("{}{} {direction}", c.name, POSTGRES.bytewise),
                    _ => format!("{} {direction}", c.name),
                })
                .collect();
            let sql = format!("SELECT {} FROM {} ORDER BY {} LIMIT 1", names(table), table.name, order.join(", "));
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_optional(self.pool())
                .await
                .with_context(|| format!("reading {}", table.name))?;
            row.map(|row| values(table, &row)).transpose()
        };
        Ok(Held { count: u64::try_from(count)?, first: end("ASC").await?, last: end("DESC").await? })
    }

    async fn append(&self, table: &Table, rows: &[Values]) -> anyhow::Result<()> {
        let data = encode(table, rows)?;
        let mut tx = self.pool().begin().await.context("beginning the copy")?;
        let sql = format!("COPY {} ({}) FROM STDIN (FORMAT binary)", table.name, names(table));
        let mut copy = tx.copy_in_raw(&sql).await.with_context(|| format!("copying into {}", table.name))?;
        copy.send(data).await.with_context(|| format!("copying into {}", table.name))?;
        copy.finish().await.with_context(|| format!("copying into {}", table.name))?;
        let follow = match table.numbering {
            Numbering::None => None,
            Numbering::NextSeq => Some(
                "UPDATE log_state SET next_seq = (SELECT coalesce(max(seq) + 1, 0) FROM evidence) WHERE id = 1".into(),
            ),
            Numbering::Identity => {
                let (t, c) = (table.name, table.columns[0].name);
                Some(format!("SELECT setval(pg_get_serial_sequence('{t}', '{c}'), (SELECT max({c}) FROM {t}))"))
            }
        };
        if let Some(sql) = follow {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await
                .with_context(|| format!("numbering after {}", table.name))?;
        }
        tx.commit().await.with_context(|| format!("committing a page of {}", table.name))
    }
}

fn names(table: &Table) -> String {
    table.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

fn values(table: &Table, row: &PgRow) -> anyhow::Result<Values> {
    let value = |i: usize, kind: Kind| -> anyhow::Result<Value> {
        Ok(match kind {
            Kind::Int => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Int),
            Kind::SmallInt => row.try_get::<Option<i16>, _>(i)?.map_or(Value::Null, |v| Value::Int(v.into())),
            Kind::Text => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text),
            Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Value::Null, Value::Bytes),
            Kind::Bool => row.try_get::<Option<bool>, _>(i)?.map_or(Value::Null, Value::Bool),
        })
    };
    let columns = table.columns.iter().enumerate();
    columns.map(|(i, c)| value(i, c.kind).with_context(|| format!("{}.{}", table.name, c.name))).collect()
}

/// `rows` in PostgreSQL's binary `COPY` format: a header, per row the number of fields and
/// each field as its length (-1 for NULL) and bytes (big-endian integers, UTF-8 text, raw
/// bytes, one byte per flag), and a trailer.
fn encode(table: &Table, rows: &[Values]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64 * rows.len() * table.columns.len());
    out.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    out.extend_from_slice(&0i32.to_be_bytes()); // flags
    out.extend_from_slice(&0i32.to_be_bytes()); // header extension length
    let fields = i16::try_from(table.columns.len()).context("columns")?;
    for row in rows {
        if row.len() != table.columns.len() {
            bail!("{}: a row of {} values for {} columns", table.name, row.len(), table.columns.len());
        }
        out.extend_from_slice(&fields.to_be_bytes());
        for (value, column) in row.iter().zip(table.columns) {
            // The value itself is never named in an error: it may be private metadata.
            let mismatch = || format!("{}.{}: a value that is not {:?}", table.name, column.name, column.kind);
            let bytes: &[u8] = match (value, column.kind) {
                (Value::Null, _) => {
                    out.extend_from_slice(&(-1i32).to_be_bytes());
                    continue;
                }
                (Value::Int(v), Kind::Int) => &v.to_be_bytes(),
                (Value::Int(v), Kind::SmallInt) => &i16::try_from(*v).with_context(mismatch)?.to_be_bytes(),
                (Value::Text(v), Kind::Text) => v.as_bytes(),
                (Value::Bytes(v), Kind::Bytes) => v,
                (Value::Bool(v), Kind::Bool) => &[u8::from(*v)],
                _ => bail!(mismatch()),
            };
            out.extend_from_slice(&i32::try_from(bytes.len()).with_context(mismatch)?.to_be_bytes());
            out.extend_from_slice(bytes);
        }
    }
    out.extend_from_slice(&(-1i16).to_be_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::copy::TABLES;

    #[test]
    fn a_row_encodes_as_the_binary_copy_format_says() {
        let table = TABLES.iter().find(|t| t.name == "block_tiles").unwrap();
        let data = encode(table, &[vec![Value::Int(7), Value::Bytes(vec![0xab, 0xcd])]]).unwrap();
        let mut want = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec();
        want.extend_from_slice(&[0, 2, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 2, 0xab, 0xcd, 0xff, 0xff]);
        assert_eq!(data, want);
        let wrong = encode(table, &[vec![Value::Text("secret".into()), Value::Null]]).unwrap_err().to_string();
        assert!(wrong.contains("block_tiles.height") && !wrong.contains("secret"), "{wrong}");
    }
}
