//! Storage operations written once for every SQL backend.
//!
//! Where the SQL is the same on SQLite and PostgreSQL (both read `$1`-style parameters), the
//! operation is written here against [`Sql`]: a backend implements its four calls (run a
//! statement and return its rows, one row, or the rows changed; run several in one transaction)
//! and gets every trait implemented in this folder. What differs between the backends (the
//! writer's transaction, bulk inserts, array parameters, erasure) stays in `store::sqlite` and
//! `store::postgres`. Rows are read with [`StoredRow`]'s decoders.

mod args;
mod audit;
mod blocks;
mod copy;
mod evidence;
mod halt;
mod images;
mod invoice_ops;
mod invoices;
mod sessions;
mod tenants;

use async_trait::async_trait;

use super::credential_cache::CredentialCache;
use super::rows::StoredRow;

pub(crate) use args::{Arg, args};
pub(crate) use blocks::BLOCK_COLUMNS;
pub(crate) use copy::CopyDialect;
pub(crate) use evidence::{EVIDENCE_COLUMNS, EvidenceDialect};
pub(crate) use images::insert_images;
pub(crate) use invoice_ops::apply_all as apply_invoice_ops;
pub(crate) use invoices::{InvoiceDialect, KEY_IS};

/// A statement and its parameters, in order (`$1`, `$2`, ...).
pub(crate) type Statement<'a> = (&'a str, Vec<Arg>);

/// What an SQL backend runs for the shared operations. The statement text is always this
/// crate's own (constants and column lists); every value goes in as an [`Arg`].
#[async_trait]
pub(crate) trait Sql: Send + Sync {
    type Row: StoredRow + Send + Sync;

    async fn fetch_all(&self, sql: &str, args: Vec<Arg>) -> anyhow::Result<Vec<Self::Row>>;
    /// The first row of a statement meant to return at most one (a key lookup, `LIMIT 1`); the
    /// statement is run to its end, so that it leaves nothing open on a pooled connection.
    async fn fetch_optional(&self, sql: &str, args: Vec<Arg>) -> anyhow::Result<Option<Self::Row>>;
    /// Hands the rows to `each` one by one as they arrive, stopping at its first error.
    async fn for_each(
        &self,
        sql: &str,
        args: Vec<Arg>,
        each: &mut (dyn for<'r> FnMut(&'r Self::Row) -> anyhow::Result<()> + Send),
    ) -> anyhow::Result<()>;
    /// Runs one statement; the number of rows it changed.
    async fn execute(&self, sql: &str, args: Vec<Arg>) -> anyhow::Result<u64>;
    /// Runs the statements in one transaction, in order (none is kept unless all succeed); the
    /// number of rows each changed.
    async fn transaction(&self, statements: Vec<Statement<'_>>) -> anyhow::Result<Vec<u64>>;
    /// A subquery whose rows are the values of the list parameter `$param` ([`Arg::Ints`],
    /// [`Arg::Texts`]) in one column `value`: the one place the dialects differ in the shared
    /// statements.
    fn list(&self, param: usize) -> String;
    /// Closes the store's connections (after the last use).
    async fn close_pool(&self);
    /// The credentials this store confirmed recently.
    fn credentials(&self) -> &CredentialCache;
}

/// What a backend's connection runs inside the evidence writer's transaction, for the shared
/// writer operations ([`apply_invoice_ops`]).
#[async_trait]
pub(crate) trait SqlConn: Send {
    type Row: StoredRow + Send + Sync;
    /// What follows a `SELECT` of a row the transaction goes on to change: ` FOR UPDATE` where
    /// rows are locked one by one (PostgreSQL); nothing where the writer's transaction holds
    /// the database's write lock already (SQLite).
    const LOCK: &'static str;

    async fn fetch_optional(&mut self, sql: &str, args: Vec<Arg>) -> anyhow::Result<Option<Self::Row>>;
    async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> anyhow::Result<u64>;
}

/// The number in column `n` of a one-row aggregate (`NULL` when it had no rows to read).
async fn number<S: Sql>(store: &S, sql: &str, args: Vec<Arg>) -> anyhow::Result<Option<u64>> {
    Ok(store.fetch_optional(sql, args).await?.map(|r| r.maybe_uint("n")).transpose()?.flatten())
}
