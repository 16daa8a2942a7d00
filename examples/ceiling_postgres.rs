//! Storage ceiling on PostgreSQL for the ingest benchmark: `cargo run --release --example
//! ceiling_postgres -- --url postgres://user@host/db [--group 64] [--seconds 10]`.
//!
//! An empty database migrated as the service migrates its own (`PgStore::connect_url`: the same
//! schema, `synchronous_commit=on`), one tenant, then for `--seconds`: groups of `--group`
//! evidence rows like the writer's (seq, id, tenant, kind, content hash, salt, meta hash, no
//! metadata, received_ms, leaf hash), each group one transaction of one multi-row
//! `INSERT ... SELECT * FROM unnest(...)` (the writer's statement), committed durably. No
//! numbering row, no idempotency, no invoice rules: the rows alone. Rows are made before their
//! transaction; rows/s counts the time inside transactions only.

use std::str::FromStr;
use std::time::{Duration, Instant};

use clap::Parser;
use notarium::domain::TenantRole;
use notarium::store::TenantStore;
use notarium::store::postgres::PgStore;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};

mod support;
use support::{Row, percentiles, row};

#[derive(Parser, Debug)]
struct Args {
    /// An empty database (no password in the URL: PGPASSWORD).
    #[arg(long)]
    url: String,
    /// Rows per transaction.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..))]
    group: u64,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let store = PgStore::connect_url(&args.url).await?;
    let (tenant, _key) = store.create_tenant("Ceiling", TenantRole::Merchant, None).await?;
    let owner = tenant.id.as_uuid().as_bytes().to_vec();
    let options = PgConnectOptions::from_str(&args.url)?.options([("synchronous_commit", "on")]);
    let mut conn: PgConnection = options.connect().await?;
    let (mut seq, mut busy, mut commits_us) = (0i64, Duration::ZERO, Vec::new());
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    while Instant::now() < deadline {
        let rows: Vec<Row> = (0..args.group).map(|_| row(&mut seq)).collect();
        let started = Instant::now();
        let mut tx = conn.begin().await?;
        sqlx::query(
            "INSERT INTO evidence (seq, id, tenant_id, kind, content_hash, salt, meta_hash, metadata, received_ms, \
             leaf_hash) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::text[], $5::bytea[], \
             $6::bytea[], $7::bytea[], $8::text[], $9::bigint[], $10::bytea[])",
        )
        .bind(rows.iter().map(|r| r.seq).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.id.to_vec()).collect::<Vec<_>>())
        .bind(rows.iter().map(|_| owner.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|_| "document").collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.content.to_vec()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.salt.to_vec()).collect::<Vec<_>>())
        .bind(rows.iter().map(|_| Vec::<u8>::new()).collect::<Vec<_>>())
        .bind(rows.iter().map(|_| None::<String>).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.received_ms).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.leaf.to_vec()).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        busy += started.elapsed();
        commits_us.push(started.elapsed().as_micros() as u64);
    }
    conn.close().await?;
    let bytes: i64 = sqlx::query_scalar("SELECT pg_total_relation_size('evidence')")
        .fetch_one(&mut PgConnectOptions::from_str(&args.url)?.connect().await?)
        .await?;
    let (p50, p99, max) = percentiles(&mut commits_us);
    println!("group {}  transactions {}  rows {seq}", args.group, commits_us.len());
    println!("rows/s {:.0}  (time in transactions {:.1} s)", seq as f64 / busy.as_secs_f64(), busy.as_secs_f64());
    println!("transaction ms p50 {:.2}  p99 {:.2}  max {:.2}", p50 / 1e3, p99 / 1e3, max / 1e3);
    println!("bytes per row {:.0}  (table and indexes {bytes} bytes)", bytes as f64 / seq as f64);
    Ok(())
}
