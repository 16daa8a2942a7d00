//! Copying a single-node deployment's database into PostgreSQL (`notarium admin migrate`): every
//! table of [`TABLES`] in dependency order, a page of rows per transaction, resumable.
//!
//! A page is appended in one transaction after the last key the target holds, so after an
//! interruption the target holds, for each table, a prefix of the source's rows in key order,
//! and the next run continues after it: nothing is copied twice or skipped. Before continuing a
//! table the copy checks that what the target holds is such a prefix — its first and last rows
//! equal the source's rows with the same keys, and as many rows as the source has up to that
//! last key — and refuses a target holding anything else (another deployment's rows, or rows
//! written since).

use crate::store::copy::{CopySource, CopyTarget, Row, TABLES, Table, Value};

/// How the copy runs.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Rows per page: one read of the source, one transaction in the target.
    pub page_rows: u32,
    /// Stop (with [`MigrateError::Stopped`]) after this many pages, as an interruption would.
    pub stop_after_pages: Option<u64>,
}

/// What the copy reports as it goes, table by table, in rows.
pub trait Progress {
    /// `table` starts with `held` of the source's `total` rows already in the target.
    fn started(&mut self, table: &str, held: u64, total: u64);
    /// A page was committed: `done` of `total` rows are in the target.
    fn copied(&mut self, table: &str, done: u64, total: u64);
    /// `table` is copied: `done` rows in the target of `total` in the source.
    fn finished(&mut self, table: &str, done: u64, total: u64);
    /// Every table is copied; both sides are read again and compared.
    fn comparing(&mut self);
}

/// The rows of one table on both sides, compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: &'static str,
    pub source: u64,
    pub target: u64,
    /// The position (from 0, in key order) of the first row that differs between the sides
    /// (a column, or a row on one side only), when one does.
    pub first_difference: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The target holds rows of `table` that are not the source's first rows in key order:
    /// another deployment's, or rows written into the target since an interrupted copy.
    #[error("the target's {table} holds rows that are not from this source ({why}): migrate into an empty database")]
    Foreign { table: &'static str, why: &'static str },
    /// [`Options::stop_after_pages`] pages were copied; a new run continues.
    #[error("stopped after {0} pages, as asked")]
    Stopped(u64),
    /// A database could not be read or written.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// Copies every table the target does not hold whole yet, then compares both sides
/// ([`compare`]).
pub async fn migrate(
    source: &dyn CopySource,
    target: &dyn CopyTarget,
    options: Options,
    progress: &mut dyn Progress,
) -> Result<Vec<TableCount>, MigrateError> {
    let mut pages = 0u64;
    for table in TABLES {
        let total = source.count_through(table, None).await?;
        let (mut after, mut done) = resume_point(source, target, table).await?;
        progress.started(table.name, done, total);
        loop {
            if options.stop_after_pages.is_some_and(|stop| pages >= stop) {
                return Err(MigrateError::Stopped(pages));
            }
            let rows = source.rows_after(table, after.as_deref(), table.page_rows(options.page_rows)).await?;
            let Some(last) = rows.last() else { break };
            target.append(table, &rows).await?;
            after = Some(table.key_of(last).to_vec());
            done += rows.len() as u64;
            pages += 1;
            progress.copied(table.name, done, total);
        }
        progress.finished(table.name, done, total);
    }
    progress.comparing();
    Ok(compare(source, target, options.page_rows).await?)
}

/// Every table on both sides, read a page at a time in key order and compared row by row.
pub async fn compare(
    source: &dyn CopySource,
    target: &dyn CopySource,
    page_rows: u32,
) -> anyhow::Result<Vec<TableCount>> {
    let mut counts = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let (mut after, mut position, mut first_difference) = (None::<Row>, 0u64, None);
        loop {
            let limit = table.page_rows(page_rows);
            let mine = source.rows_after(table, after.as_deref(), limit).await?;
            let theirs = target.rows_after(table, after.as_deref(), limit).await?;
            let same = mine.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
            if same < mine.len().max(theirs.len()) {
                first_difference = Some(position + same as u64);
                break;
            }
            let Some(last) = mine.last() else { break };
            after = Some(table.key_of(last).to_vec());
            position += mine.len() as u64;
        }
        counts.push(TableCount {
            table: table.name,
            source: source.count_through(table, None).await?,
            target: target.count_through(table, None).await?,
            first_difference,
        });
    }
    Ok(counts)
}

/// The key after which `table` continues (none: from its first row) and the rows the target
/// holds, once they are found to be the source's first rows.
async fn resume_point(
    source: &dyn CopySource,
    target: &dyn CopyTarget,
    table: &Table,
) -> Result<(Option<Row>, u64), MigrateError> {
    let held = target.held(table).await?;
    let (Some(first), Some(last)) = (held.first, held.last) else {
        return Ok((None, 0));
    };
    let foreign = |why| MigrateError::Foreign { table: table.name, why };
    let source_first = source.rows_after(table, None, 1).await?.into_iter().next();
    if source_first.as_ref() != Some(&first) {
        return Err(foreign("its first row differs from the source's"));
    }
    let key: Vec<Value> = table.key_of(&last).to_vec();
    if source.row_at(table, &key).await?.as_ref() != Some(&last) {
        return Err(foreign("its last row differs from the source's row with that key"));
    }
    if source.count_through(table, Some(&key)).await? != held.count {
        return Err(foreign("it holds other rows than the source's up to its last one"));
    }
    Ok((Some(key), held.count))
}

#[cfg(test)]
mod tests;
