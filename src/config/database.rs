//! Where the records are kept: `database_url` (unset: `<data>/notarium.db`, as always) and,
//! for PostgreSQL, `database_password_file`. A password never sits in the URL, which is shown
//! by `notarium config` and in errors; it comes from the file or from the standard `PG*`
//! variables (`PGPASSWORD`, `~/.pgpass`).

use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::store::{DB_FILE, Database};

/// Reads `database_url` and `database_password_file`; `data` is the data directory.
pub fn database(url: Option<&str>, password_file: Option<&Path>, data: &Path) -> anyhow::Result<Database> {
    let database = match url {
        None => Database::Sqlite(data.join(DB_FILE)),
        Some(url) => match url.split_once("://").map_or("", |(scheme, _)| scheme) {
            "sqlite" => Database::Sqlite(sqlite_file(&url["sqlite://".len()..])?),
            "postgres" | "postgresql" => {
                postgres_url(url)?;
                Database::Postgres { url: url.to_owned(), password_file: password_file.map(Path::to_owned) }
            }
            _ => bail!("setting database_url: sqlite:///absolute/path.db or postgres://user@host/db"),
        },
    };
    if password_file.is_some() && matches!(database, Database::Sqlite(_)) {
        bail!("setting database_password_file: only with a postgres:// database_url");
    }
    Ok(database)
}

fn sqlite_file(path: &str) -> anyhow::Result<PathBuf> {
    let path = Path::new(path);
    if !path.is_absolute() || path.file_name().is_none() {
        bail!(
            "setting database_url: sqlite:// takes an absolute file path, as in sqlite:///var/lib/notarium/notarium.db"
        );
    }
    Ok(path.to_owned())
}

/// A PostgreSQL URL without a password. The value is not repeated in these errors: it may hold
/// one.
fn postgres_url(url: &str) -> anyhow::Result<()> {
    let Ok(parsed) = url::Url::parse(url) else {
        bail!("setting database_url: not a valid postgres:// URL");
    };
    if parsed.password().is_some() {
        bail!(
            "setting database_url: no password in the URL (it is shown in output); \
             use database_password_file or PGPASSWORD"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: Option<&str>, password_file: Option<&str>) -> anyhow::Result<Database> {
        database(url, password_file.map(Path::new), Path::new("/srv/data"))
    }

    #[test]
    fn unset_is_the_file_in_the_data_directory() {
        assert_eq!(parse(None, None).unwrap(), Database::Sqlite("/srv/data/notarium.db".into()));
    }

    #[test]
    fn sqlite_urls_take_an_absolute_file() {
        assert_eq!(parse(Some("sqlite:///var/db/n.db"), None).unwrap(), Database::Sqlite("/var/db/n.db".into()));
        for bad in ["sqlite://relative.db", "sqlite://", "sqlite:///"] {
            let e = parse(Some(bad), None).unwrap_err().to_string();
            assert!(e.starts_with("setting database_url: sqlite:// takes an absolute file path"), "{bad}: {e}");
        }
    }

    #[test]
    fn postgres_urls_keep_their_parameters_and_refuse_a_password() {
        let url = "postgres://notarium@db.internal:5432/notarium?sslmode=verify-full";
        let db = parse(Some(url), Some("/run/secrets/pg")).unwrap();
        assert_eq!(db, Database::Postgres { url: url.into(), password_file: Some("/run/secrets/pg".into()) });
        assert!(matches!(parse(Some("postgresql://h/db"), None).unwrap(), Database::Postgres { .. }));
        let e = parse(Some("postgres://notarium:hunter2@db/notarium"), None).unwrap_err().to_string();
        assert!(e.contains("no password in the URL") && !e.contains("hunter2"), "{e}");
    }

    #[test]
    fn other_values_name_the_setting_without_repeating_the_value() {
        for bad in ["mysql://u:pw@h/db", "notarium.db", "postgres://u:pw@[bad/db"] {
            let e = parse(Some(bad), None).unwrap_err().to_string();
            assert!(e.starts_with("setting database_url: ") && !e.contains("pw"), "{bad}: {e}");
        }
        let e = parse(None, Some("/run/secrets/pg")).unwrap_err().to_string();
        assert_eq!(e, "setting database_password_file: only with a postgres:// database_url");
        let e = parse(Some("sqlite:///x.db"), Some("/p")).unwrap_err().to_string();
        assert_eq!(e, "setting database_password_file: only with a postgres:// database_url");
    }
}
