//! `--database-url` and `--database-password-file` of `notarium admin` and `notarium audit`:
//! the same settings as `notarium serve`'s, from the same environment variables.

use std::path::{Path, PathBuf};

use crate::store::Database;

#[derive(clap::Args, Debug)]
pub struct DatabaseArgs {
    /// The database: unset means `<data>/notarium.db`; or `sqlite:///absolute/path.db`, or
    /// `postgres://user@host/db?sslmode=...` (no password in it).
    #[arg(long, global = true, env = "NOTARIUM_DATABASE_URL")]
    database_url: Option<String>,
    /// A file holding the PostgreSQL password (else `PGPASSWORD` or `~/.pgpass`).
    #[arg(long, global = true, env = "NOTARIUM_DATABASE_PASSWORD_FILE")]
    database_password_file: Option<PathBuf>,
}

impl DatabaseArgs {
    /// The database these flags name, `data` being the data directory.
    pub fn database(&self, data: &Path) -> anyhow::Result<Database> {
        crate::config::database(self.database_url.as_deref(), self.database_password_file.as_deref(), data)
    }

    /// The database `url` names, else `--database-url`'s, with `--database-password-file`;
    /// `None` when neither is given.
    pub fn named(&self, url: Option<&str>, data: &Path) -> Option<anyhow::Result<Database>> {
        let url = url.or(self.database_url.as_deref())?;
        Some(crate::config::database(Some(url), self.database_password_file.as_deref(), data))
    }
}
