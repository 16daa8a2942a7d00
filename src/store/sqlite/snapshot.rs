//! A consistent copy of a live SQLite database, for `notarium backup`: `VACUUM INTO` on a
//! read-only connection of its own. It reads one snapshot of the database (a WAL read
//! transaction: the server's writer goes on committing meanwhile and is never blocked), so the
//! copy is the database as of one commit, and it takes time in proportion to the database's
//! size, never waiting for a quiet moment (which `sqlite3 .backup` does under load).

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use futures_util::TryStreamExt;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use crate::domain::{Hash, TenantId};
use crate::store::rows::StoredRow;

/// Copies the database `source` into `dest`, which must not exist or be empty (SQLite's rule
/// for `VACUUM INTO`); the copy is synced to disk before this returns.
pub async fn vacuum_into(source: &Path, dest: &Path) -> anyhow::Result<()> {
    if !source.is_file() {
        anyhow::bail!("no database at {}", source.display());
    }
    let dest_text = dest.to_str().with_context(|| format!("{} is not UTF-8", dest.display()))?.to_owned();
    let mut conn = read_only(source).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(dest_text)
        .execute(&mut conn)
        .await
        .with_context(|| format!("copying {} into {}", source.display(), dest.display()))?;
    conn.close().await.ok();
    let file = std::fs::File::open(dest).with_context(|| format!("opening {}", dest.display()))?;
    file.sync_all().with_context(|| format!("syncing {}", dest.display()))
}

/// Hands each distinct (owner, content hash) of the evidence of the database `db` to `each`:
/// the originals a copy of the database may refer to (`<blobs>/<owner>/<hash>`, where one
/// was kept).
pub async fn for_each_content(
    db: &Path,
    mut each: impl FnMut(TenantId, Hash) -> anyhow::Result<()> + Send,
) -> anyhow::Result<()> {
    let mut conn = read_only(db).await?;
    {
        let mut rows = sqlx::query("SELECT DISTINCT tenant_id, content_hash FROM evidence").fetch(&mut conn);
        while let Some(row) = rows.try_next().await.context("reading the evidence of the copy")? {
            each(row.tenant_id("tenant_id")?, row.hash("content_hash")?)?;
        }
    }
    conn.close().await.ok();
    Ok(())
}

async fn read_only(path: &Path) -> anyhow::Result<SqliteConnection> {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(Duration::from_secs(10))
        .disable_statement_logging()
        .connect()
        .await
        .with_context(|| format!("opening {} read-only", path.display()))
}
