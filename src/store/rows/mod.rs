//! Reading stored rows into domain values, once for every backend.
//!
//! A backend implements [`StoredRow`]'s four raw reads for its row type (sqlx's `SqliteRow`,
//! `PgRow`); every typed read ([`StoredRow::hash`], [`StoredRow::time`], ...) and every decoder
//! of a stored type (a record, a block, an invoice, ...) in this folder is written once on top of
//! them, with [`crate::store::columns`]'s conversions. The SQL that selects the columns stays with
//! each backend; the column names it selects are the ones these decoders read.

mod blocks;
mod evidence;
mod invoices;
mod tenants;

use anyhow::{Context, anyhow};

use super::columns::{self, Word};
use crate::domain::{EvidenceId, Hash, Salt, TenantId, Timestamp};

pub(crate) use blocks::{audit_cursor, block, cosignature, log_halt};
pub(crate) use evidence::{idempotency, image, record};
pub(crate) use invoices::{check, claim, invoice, invoice_key, ledger};
pub(crate) use tenants::{TENANT_COLUMNS, api_key, client_cert, session, tenant};

/// One result row, read by column name.
pub(crate) trait StoredRow {
    /// An integer column; `None` for NULL.
    fn maybe_int(&self, col: &str) -> anyhow::Result<Option<i64>>;
    /// A blob (`bytea`) column; `None` for NULL.
    fn maybe_bytes(&self, col: &str) -> anyhow::Result<Option<Vec<u8>>>;
    /// A text column; `None` for NULL.
    fn maybe_string(&self, col: &str) -> anyhow::Result<Option<String>>;
    /// A flag: `boolean` on PostgreSQL, 0 or 1 on SQLite.
    fn flag(&self, col: &str) -> anyhow::Result<bool>;

    fn int(&self, col: &str) -> anyhow::Result<i64> {
        present(col, self.maybe_int(col)?)
    }

    fn bytes(&self, col: &str) -> anyhow::Result<Vec<u8>> {
        present(col, self.maybe_bytes(col)?)
    }

    fn string(&self, col: &str) -> anyhow::Result<String> {
        present(col, self.maybe_string(col)?)
    }

    /// A sequence number, height, count or amount (stored signed, never negative).
    fn uint(&self, col: &str) -> anyhow::Result<u64> {
        unsigned(col, self.int(col)?)
    }

    fn maybe_uint(&self, col: &str) -> anyhow::Result<Option<u64>> {
        self.maybe_int(col)?.map(|v| unsigned(col, v)).transpose()
    }

    fn bytes32(&self, col: &str) -> anyhow::Result<[u8; 32]> {
        columns::bytes32(col, self.bytes(col)?)
    }

    fn hash(&self, col: &str) -> anyhow::Result<Hash> {
        columns::hash(col, self.bytes(col)?)
    }

    fn meta_hash(&self, col: &str) -> anyhow::Result<Hash> {
        columns::meta_hash(col, self.bytes(col)?)
    }

    /// A salt, or `None` where erasure left no bytes.
    fn salt_unless_erased(&self, col: &str) -> anyhow::Result<Option<Salt>> {
        columns::salt_unless_erased(col, self.bytes(col)?)
    }

    fn evidence_id(&self, col: &str) -> anyhow::Result<EvidenceId> {
        columns::evidence_id(col, self.bytes(col)?)
    }

    fn tenant_id(&self, col: &str) -> anyhow::Result<TenantId> {
        columns::tenant_id(col, self.bytes(col)?)
    }

    fn time(&self, col: &str) -> anyhow::Result<Timestamp> {
        columns::time(col, self.int(col)?)
    }

    /// A time that may be absent (NULL); one out of range is an error (a damaged row).
    fn maybe_time(&self, col: &str) -> anyhow::Result<Option<Timestamp>> {
        self.maybe_int(col)?.map(|ms| columns::time(col, ms)).transpose()
    }

    /// A value stored as its text (a witness name, a fingerprint in hex).
    fn text<T: std::str::FromStr>(&self, col: &str) -> anyhow::Result<T>
    where
        T::Err: std::fmt::Display,
    {
        columns::parsed(col, self.string(col)?)
    }

    /// The enum a stored word stands for.
    fn word<W: Word>(&self, col: &str) -> anyhow::Result<W> {
        columns::word(col, self.string(col)?)
    }

    /// Stored JSON, `None` for NULL.
    fn maybe_json<T: serde::de::DeserializeOwned>(&self, col: &str) -> anyhow::Result<Option<T>> {
        self.maybe_string(col)?
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .with_context(|| format!("column {col}: stored JSON"))
    }
}

fn present<T>(col: &str, v: Option<T>) -> anyhow::Result<T> {
    v.ok_or_else(|| anyhow!("column {col}: NULL"))
}

fn unsigned(col: &str, v: i64) -> anyhow::Result<u64> {
    u64::try_from(v).with_context(|| format!("column {col}: negative"))
}

#[cfg(test)]
mod tests;
