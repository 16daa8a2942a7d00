//! The statements of a copy's reads, written once for both databases: what differs is how a
//! [`Dialect`] spells a bound parameter, names a column and orders a text key byte by byte.

use super::{Column, Kind, Table};

/// How a database spells what the copy's reads need.
pub struct Dialect {
    /// The bound parameter at 0-based position `i` (`?`, `$1`).
    pub mark: fn(usize) -> String,
    /// What a column is read as (its name, or SQLite's `rowid` for an implicit identity).
    pub column: fn(&Column) -> &'static str,
    /// What follows a text key to compare it byte by byte (`COLLATE "C"`; nothing for
    /// SQLite, whose BINARY collation already does).
    pub bytewise: &'static str,
}

impl Table {
    /// The rows after a key (bound first, when `after`) in key order, at most the last bound
    /// parameter of them.
    pub fn select_after(&self, d: &Dialect, after: bool) -> String {
        let keys = self.key_expressions(d);
        let filter = if after { format!(" WHERE ({keys}) > ({})", marks(d, self.key)) } else { String::new() };
        let limit = (d.mark)(if after { self.key } else { 0 });
        format!("SELECT {} FROM {}{filter} ORDER BY {keys} LIMIT {limit}", self.selected(d), self.name)
    }

    /// How many rows have a key at most the bound one (every row unless `through`).
    pub fn count_through(&self, d: &Dialect, through: bool) -> String {
        let filter = if through {
            format!(" WHERE ({}) <= ({})", self.key_expressions(d), marks(d, self.key))
        } else {
            String::new()
        };
        format!("SELECT count(*) AS n FROM {}{filter}", self.name)
    }

    /// The row with the bound key.
    pub fn select_at(&self, d: &Dialect) -> String {
        let (selected, keys) = (self.selected(d), self.key_expressions(d));
        format!("SELECT {selected} FROM {} WHERE ({keys}) = ({})", self.name, marks(d, self.key))
    }

    fn selected(&self, d: &Dialect) -> String {
        self.columns.iter().map(d.column).collect::<Vec<_>>().join(", ")
    }

    fn key_expressions(&self, d: &Dialect) -> String {
        let key = |c: &Column| match c.kind {
            Kind::Text => format!("{}{}", (d.column)(c), d.bytewise),
            _ => (d.column)(c).to_owned(),
        };
        self.key_columns().iter().map(key).collect::<Vec<_>>().join(", ")
    }
}

fn marks(d: &Dialect, n: usize) -> String {
    (0..n).map(d.mark).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::copy::TABLES;

    const PG: Dialect = Dialect { mark: |i| format!("${}", i + 1), column: |c| c.name, bytewise: " COLLATE \"C\"" };

    #[test]
    fn text_keys_compare_byte_by_byte_and_parameters_are_numbered() {
        let invoices = TABLES.iter().find(|t| t.name == "invoices").unwrap();
        let sql = invoices.select_after(&PG, true);
        let keys = "issuer COLLATE \"C\", invoice_code COLLATE \"C\", invoice_number COLLATE \"C\"";
        assert!(sql.ends_with(&format!("WHERE ({keys}) > ($1, $2, $3) ORDER BY {keys} LIMIT $4")), "{sql}");
        let checks = TABLES.iter().find(|t| t.name == "invoice_checks").unwrap();
        let sqlite = Dialect { mark: |_| "?".into(), column: |c| c.source, bytewise: "" };
        assert_eq!(
            checks.count_through(&sqlite, true),
            "SELECT count(*) AS n FROM invoice_checks WHERE (rowid) <= (?)"
        );
    }
}
