//! What SQLite does its own way in reading invoices and erasing one.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::Row;

use super::SqliteStore;
use crate::store::invoices::InvoiceKey;
use crate::store::sql::{Arg, InvoiceDialect, args};

#[async_trait]
impl InvoiceDialect for SqliteStore {
    /// The keys as one JSON array of `[issuer, code, number]` ([`InvoiceDialect::key_args`]).
    fn key_in(first: usize) -> String {
        format!(
            "(issuer, invoice_code, invoice_number) IN (SELECT json_extract(value, '$[0]'), \
             json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(${first}))"
        )
    }

    /// `invoice_checks` has no key column of its own: its rowid.
    const CHECK_ORDER: &'static str = "c.rowid";

    fn key_args(keys: &[InvoiceKey]) -> anyhow::Result<Vec<Arg>> {
        let triples: Vec<[&str; 3]> = keys.iter().map(|k| [k.issuer.as_str(), &k.code, &k.number]).collect();
        Ok(args![serde_json::to_string(&triples).context("invoice keys as JSON")?.as_str()])
    }

    /// With `secure_delete` the freed bytes are zeroed; the WAL is checkpointed so that no older
    /// page copy remains there.
    async fn after_erasure(&self) {
        // A reader still open on an older snapshot blocks the checkpoint; SQLite says so in the
        // result row (busy = 1), not as an error. The next checkpoint then copies the zeroed pages.
        // `fetch_all`: read to the end, so that the pooled connection keeps no active statement.
        let checkpoint = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").fetch_all(self.pool()).await;
        match checkpoint.map(|rows| rows.into_iter().next()) {
            Ok(Some(row)) if row.try_get::<i64, _>(0).unwrap_or(1) == 0 => {}
            Ok(_) => {
                tracing::warn!("the WAL checkpoint after an erasure was blocked by a reader; the next one completes it")
            }
            Err(e) => tracing::warn!("checkpoint after an erasure: {e:#}"),
        }
    }
}
