//! What PostgreSQL does its own way in reading invoices. Its erasure needs nothing more: the
//! rows' old versions stay in the table files until vacuum reclaims them and in the WAL until it
//! is recycled, as with any PostgreSQL update; no query returns them (docs/operations.md).

use async_trait::async_trait;

use super::PgStore;
use crate::store::invoices::InvoiceKey;
use crate::store::sql::{Arg, InvoiceDialect};

#[async_trait]
impl InvoiceDialect for PgStore {
    /// The keys as three parallel arrays ([`InvoiceDialect::key_args`]), zipped back into triples.
    fn key_in(first: usize) -> String {
        let (code, number) = (first + 1, first + 2);
        format!(
            "(issuer, invoice_code, invoice_number) IN \
             (SELECT * FROM unnest(${first}::text[], ${code}::text[], ${number}::text[]))"
        )
    }

    const CHECK_ORDER: &'static str = "c.id";

    fn key_args(keys: &[InvoiceKey]) -> anyhow::Result<Vec<Arg>> {
        let column = |f: fn(&InvoiceKey) -> &String| Arg::Texts(keys.iter().map(|k| f(k).clone()).collect());
        Ok(vec![column(|k| &k.issuer), column(|k| &k.code), column(|k| &k.number)])
    }
}
