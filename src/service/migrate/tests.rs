//! The copy loop against tables in memory: pages, a stop and a restart, refusals.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::*;
use crate::store::copy::Held;

/// Tables in memory, rows in key order; keys here are integers (the evidence table's `seq`).
#[derive(Default)]
struct Memory(Mutex<BTreeMap<&'static str, Vec<Row>>>);

fn seq(row: &[Value]) -> i64 {
    match row[0] {
        Value::Int(v) => v,
        _ => panic!("an integer key"),
    }
}

fn evidence() -> &'static Table {
    TABLES.iter().find(|t| t.name == "evidence").unwrap()
}

fn record(n: i64) -> Row {
    let mut row = vec![Value::Int(n)];
    row.extend(evidence().columns[1..].iter().map(|_| Value::Bytes(vec![n as u8])));
    row
}

impl Memory {
    fn with(rows: impl IntoIterator<Item = i64>) -> Self {
        let memory = Self::default();
        memory.0.lock().unwrap().insert("evidence", rows.into_iter().map(record).collect());
        memory
    }

    fn rows(&self, table: &Table) -> Vec<Row> {
        self.0.lock().unwrap().get(table.name).cloned().unwrap_or_default()
    }
}

#[async_trait]
impl CopySource for Memory {
    async fn rows_after(&self, table: &Table, after: Option<&[Value]>, limit: u32) -> anyhow::Result<Vec<Row>> {
        let after = after.map(seq);
        let rows = self.rows(table).into_iter().filter(|r| after.is_none_or(|a| seq(r) > a));
        Ok(rows.take(limit as usize).collect())
    }

    async fn count_through(&self, table: &Table, through: Option<&[Value]>) -> anyhow::Result<u64> {
        let through = through.map(seq);
        Ok(self.rows(table).iter().filter(|r| through.is_none_or(|t| seq(r) <= t)).count() as u64)
    }

    async fn row_at(&self, table: &Table, key: &[Value]) -> anyhow::Result<Option<Row>> {
        Ok(self.rows(table).into_iter().find(|r| seq(r) == seq(key)))
    }

    async fn close(&self) {}
}

#[async_trait]
impl CopyTarget for Memory {
    async fn held(&self, table: &Table) -> anyhow::Result<Held> {
        let rows = self.rows(table);
        Ok(Held { count: rows.len() as u64, first: rows.first().cloned(), last: rows.last().cloned() })
    }

    async fn append(&self, table: &Table, rows: &[Row]) -> anyhow::Result<()> {
        self.0.lock().unwrap().entry(table.name).or_default().extend(rows.iter().cloned());
        Ok(())
    }
}

/// Counts the pages it is told about.
#[derive(Default)]
struct Pages(u64);

impl Progress for Pages {
    fn started(&mut self, _: &str, _: u64, _: u64) {}
    fn copied(&mut self, _: &str, _: u64, _: u64) {
        self.0 += 1;
    }
    fn finished(&mut self, _: &str, _: u64, _: u64) {}
    fn comparing(&mut self) {}
}

fn options(page_rows: u32, stop: Option<u64>) -> Options {
    Options { page_rows, stop_after_pages: stop }
}

#[tokio::test]
async fn a_stopped_copy_continues_where_the_target_stops() {
    let (source, target) = (Memory::with(0..23), Memory::default());
    let stopped = migrate(&source, &target, options(5, Some(2)), &mut Pages::default()).await;
    assert!(matches!(stopped, Err(MigrateError::Stopped(2))), "{stopped:?}");
    assert_eq!(target.rows(evidence()), source.rows(evidence())[..10]);

    let mut pages = Pages::default();
    let counts = migrate(&source, &target, options(5, None), &mut pages).await.unwrap();
    assert_eq!(pages.0, 3, "13 rows left, in pages of 5");
    assert_eq!(target.rows(evidence()), source.rows(evidence()));
    assert!(counts.iter().all(|c| c.source == c.target && c.first_difference.is_none()));
    assert_eq!(counts.iter().find(|c| c.table == "evidence").unwrap().target, 23);

    let mut pages = Pages::default();
    migrate(&source, &target, options(5, None), &mut pages).await.unwrap();
    assert_eq!((pages.0, target.rows(evidence()).len()), (0, 23), "nothing copied twice");
}

#[tokio::test]
async fn a_target_holding_other_rows_is_refused() {
    let source = Memory::with(0..10);
    for (held, why) in [
        (vec![0, 1, 2, 11], "its last row differs"),
        (vec![0, 1, 3], "other rows than the source's"),
        (vec![1, 2], "its first row differs"),
    ] {
        let target = Memory::with(held.clone());
        let refused = migrate(&source, &target, options(5, None), &mut Pages::default()).await.unwrap_err();
        assert!(matches!(refused, MigrateError::Foreign { table: "evidence", .. }), "{held:?}: {refused}");
        assert!(refused.to_string().contains(why), "{held:?}: {refused}");
        assert_eq!(target.rows(evidence()).len(), held.len(), "nothing copied");
    }
    let mut changed = record(3);
    changed[5] = Value::Bytes(vec![0xff]);
    let target = Memory::default();
    target.0.lock().unwrap().insert("evidence", vec![record(0), record(1), record(2), changed]);
    let refused = migrate(&source, &target, options(5, None), &mut Pages::default()).await.unwrap_err();
    assert!(refused.to_string().contains("its last row differs"), "{refused}");
}

#[tokio::test]
async fn a_row_changed_in_the_source_between_runs_is_found_by_the_comparison() {
    let (source, target) = (Memory::with(0..12), Memory::default());
    let stopped = migrate(&source, &target, options(5, Some(1)), &mut Pages::default()).await;
    assert!(matches!(stopped, Err(MigrateError::Stopped(1))), "{stopped:?}");
    // Record 2 erased in the source (its salt emptied) after it was copied.
    source.0.lock().unwrap().get_mut("evidence").unwrap()[2][5] = Value::Bytes(Vec::new());
    let counts = migrate(&source, &target, options(5, None), &mut Pages::default()).await.unwrap();
    let evidence = counts.iter().find(|c| c.table == "evidence").unwrap();
    assert_eq!((evidence.source, evidence.target, evidence.first_difference), (12, 12, Some(2)));
    assert!(counts.iter().filter(|c| c.table != "evidence").all(|c| c.first_difference.is_none()));
}
