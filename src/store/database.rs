//! Which database the storage is: a SQLite file or a PostgreSQL server (the settings
//! `database_url` and `database_password_file` choose; `config::database` reads them).

use std::path::PathBuf;

/// The database the service, `notarium admin` and `notarium audit` use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL server: `url` holds no password; `sslmode` and the other libpq parameters
    /// are its query. The password comes from `password_file`, else from `PGPASSWORD` or
    /// `~/.pgpass` as libpq reads them.
    Postgres { url: String, password_file: Option<PathBuf> },
}
