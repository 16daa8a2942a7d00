//! Storage ceiling for the ingest benchmark: `cargo run --release --example ceiling_sqlite --
//! --data /tmp/ceiling [--group 64] [--seconds 10]`.
//!
//! A fresh database opened as the service opens its own (`SqliteStore::open`: the same migrations,
//! WAL, `synchronous=FULL`, foreign keys, `secure_delete`), one tenant, then for `--seconds`:
//! groups of `--group` evidence rows like the writer's (seq, 16-byte id, tenant id, kind, 32-byte
//! content hash, salt and leaf hash, the empty meta hash of no metadata, NULL metadata,
//! received_ms), each group one
//! `BEGIN IMMEDIATE` transaction of multi-row INSERTs (3,000 rows a statement, as
//! the SQLite writer). Rows are made before their transaction; rows/s counts
//! the time inside transactions only. Bytes per row: the database file after a checkpoint.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use notarium::domain::TenantRole;
use notarium::store::sqlite::SqliteStore;
use notarium::store::{DB_FILE, Storage, TenantStore};
use sqlx::{Connection, QueryBuilder, Sqlite};

mod support;
use support::{Row, percentiles, row};

#[derive(Parser, Debug)]
struct Args {
    /// A directory for the database; it must not hold one yet.
    #[arg(long)]
    data: PathBuf,
    /// Rows per transaction.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..))]
    group: u64,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

/// Rows per INSERT statement (SQLite's 32,766 bound parameters, ten per row).
const ROWS_PER_INSERT: usize = 3000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(!args.data.join(DB_FILE).exists(), "{} already holds a database", args.data.display());
    let store = SqliteStore::open(&args.data).await?;
    let (tenant, _key) = store.create_tenant("Ceiling", TenantRole::Merchant, None).await?;
    let owner = tenant.id.as_uuid().as_bytes().to_vec();
    // The writer stores the meta hash of a record without metadata as an empty blob.
    let meta: Vec<u8> = Vec::new();
    let mut conn = store.writer_connection().await?;
    let (mut seq, mut busy, mut commits_us) = (0i64, Duration::ZERO, Vec::new());
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    while Instant::now() < deadline {
        let rows: Vec<Row> = (0..args.group).map(|_| row(&mut seq)).collect();
        let started = Instant::now();
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO evidence (seq, id, tenant_id, kind, content_hash, salt, meta_hash, metadata, \
                 received_ms, leaf_hash) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(r.seq)
                    .push_bind(r.id.to_vec())
                    .push_bind(owner.clone())
                    .push_bind("document")
                    .push_bind(r.content.to_vec())
                    .push_bind(r.salt.to_vec())
                    .push_bind(meta.clone())
                    .push_bind(None::<String>)
                    .push_bind(r.received_ms)
                    .push_bind(r.leaf.to_vec());
            });
            q.build().execute(&mut *tx).await.context("inserting")?;
        }
        tx.commit().await?;
        busy += started.elapsed();
        commits_us.push(started.elapsed().as_micros() as u64);
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await?;
    conn.close().await?;
    store.close().await;
    let bytes = std::fs::metadata(args.data.join(DB_FILE))?.len();
    let (p50, p99, max) = percentiles(&mut commits_us);
    println!("group {}  transactions {}  rows {seq}", args.group, commits_us.len());
    println!("rows/s {:.0}  (time in transactions {:.1} s)", seq as f64 / busy.as_secs_f64(), busy.as_secs_f64());
    println!("transaction ms p50 {:.2}  p99 {:.2}  max {:.2}", p50 / 1e3, p99 / 1e3, max / 1e3);
    println!("bytes per row {:.0}  (database {bytes} bytes after a checkpoint)", bytes as f64 / seq as f64);
    Ok(())
}
