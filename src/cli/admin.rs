//! `notarium admin tenant create|list`, `admin key rotate|revoke`, `admin tenant disable`,
//! `admin tenant cert add|list|revoke` (client certificates for mTLS), `admin migrate` (a
//! single-node deployment's database into PostgreSQL, src/cli/migrate.rs), `admin log resume`
//! (lifts the halt after a fork).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::database::DatabaseArgs;
use super::migrate::{self, MigrateArgs};
use crate::crypto::client_cert::parse_client_cert;
use crate::domain::{TenantId, TenantRole};
use crate::service::halt;
use crate::service::tenants::{self, TenantSummary};
use crate::store::Store;

#[derive(clap::Args, Debug)]
pub struct AdminArgs {
    #[command(subcommand)]
    command: AdminCommand,
    /// Data directory (default ./data).
    #[arg(long, global = true, env = "NOTARIUM_DATA")]
    data: Option<PathBuf>,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(clap::Subcommand, Debug)]
enum AdminCommand {
    /// Tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Copy this single-node deployment's database into an empty PostgreSQL database (resumable:
    /// run it again after an interruption), audit the target and compare the rows of every table;
    /// exit 0 equal and consistent, 1 not, 2 not copied. The source's `serve` must be stopped.
    Migrate(MigrateArgs),
    /// The log of this deployment.
    #[command(subcommand)]
    Log(LogCommand),
}

#[derive(clap::Subcommand, Debug)]
enum LogCommand {
    /// Lift the halt a fork put on the acceptance of new evidence, once the database is restored
    /// or the witnesses re-enrolled (docs/operations.md, "A fork"); prints the halt lifted.
    /// Running servers take evidence again within a second.
    Resume,
}

#[derive(clap::Subcommand, Debug)]
enum TenantCommand {
    /// Create a tenant; prints its first API key, alone, on stdout.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: TenantRole,
        /// Required for hospitals: the code its invoices are issued under.
        #[arg(long)]
        issuer_code: Option<String>,
    },
    /// List tenants.
    List,
    /// Disable a tenant: its keys stop working.
    Disable {
        #[arg(long)]
        tenant: TenantId,
    },
    /// Client certificates (mTLS) that authenticate as a tenant.
    #[command(subcommand)]
    Cert(CertCommand),
}

#[derive(clap::Subcommand, Debug)]
enum CertCommand {
    /// Map a client certificate (PEM, end-entity) to a tenant; prints its SHA-256 fingerprint.
    Add {
        #[arg(long)]
        tenant: TenantId,
        #[arg(long)]
        cert: PathBuf,
    },
    /// List a tenant's mapped certificates.
    List {
        #[arg(long)]
        tenant: TenantId,
    },
    /// Revoke a certificate's mapping (given as the PEM file or its fingerprint in hex).
    Revoke {
        #[arg(long, conflicts_with = "fingerprint", required_unless_present = "fingerprint")]
        cert: Option<PathBuf>,
        #[arg(long)]
        fingerprint: Option<String>,
    },
}

#[derive(clap::Subcommand, Debug)]
enum KeyCommand {
    /// Issue a new key for a tenant and revoke its others; prints the new key on stdout.
    Rotate {
        #[arg(long)]
        tenant: TenantId,
    },
    /// Revoke one key (read from standard input, so it stays out of shell history).
    Revoke,
}

pub fn run(args: &AdminArgs) -> ExitCode {
    if let AdminCommand::Migrate(migrate) = &args.command {
        return migrate::run(migrate, args.data.as_deref(), &args.database);
    }
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(admin(args)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("notarium admin: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn admin(args: &AdminArgs) -> anyhow::Result<()> {
    let data = args.data.clone().unwrap_or_else(super::default_data_dir);
    let store = Store::connect(&args.database.database(&data)?).await?;
    match &args.command {
        AdminCommand::Tenant(TenantCommand::Create { name, role, issuer_code }) => {
            let (_, key) = tenants::create(&store, name, *role, issuer_code.as_deref()).await?;
            println!("{key}");
        }
        AdminCommand::Tenant(TenantCommand::List) => {
            for TenantSummary { tenant: t, active_keys } in tenants::list(&store).await? {
                let state = if t.disabled { "disabled" } else { "enabled" };
                let issuer = t.issuer_code.as_deref().unwrap_or("-");
                println!("{}  {:<8}  {:<8}  issuer={issuer}  keys={active_keys}  {}", t.id, t.role, state, t.name);
            }
        }
        AdminCommand::Tenant(TenantCommand::Disable { tenant }) => tenants::disable(&store, tenant).await?,
        AdminCommand::Tenant(TenantCommand::Cert(command)) => cert(&store, command).await?,
        AdminCommand::Key(KeyCommand::Rotate { tenant }) => println!("{}", tenants::rotate_key(&store, tenant).await?),
        AdminCommand::Migrate(_) => bail!("admin migrate runs on its own"),
        AdminCommand::Log(LogCommand::Resume) => println!("resumed; lifted: {}", halt::resume(&store).await?),
        AdminCommand::Key(KeyCommand::Revoke) => {
            let mut key = String::new();
            std::io::stdin().read_line(&mut key).context("reading the key from standard input")?;
            tenants::revoke_key(&store, key.trim()).await?;
        }
    }
    store.close().await;
    Ok(())
}

async fn cert(store: &Store, command: &CertCommand) -> anyhow::Result<()> {
    let read = |path: &PathBuf| -> anyhow::Result<_> {
        let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        parse_client_cert(&pem).with_context(|| format!("{}", path.display()))
    };
    match command {
        CertCommand::Add { tenant, cert } => {
            let cert = read(cert)?;
            tenants::add_cert(store, tenant, &cert).await?;
            println!("{}", hex::encode(cert.fingerprint));
        }
        CertCommand::List { tenant } => {
            for c in tenants::certs(store, tenant).await? {
                let state = c.revoked.map_or("active".to_owned(), |t| format!("revoked {t}"));
                let until = c.not_after.map_or("-".to_owned(), |t| t.to_string());
                println!("{}  {state}  until {until}  {}", hex::encode(c.fingerprint), escape(&c.subject));
            }
        }
        CertCommand::Revoke { cert, fingerprint } => {
            let fingerprint: [u8; 32] = match (cert, fingerprint) {
                (Some(cert), _) => read(cert)?.fingerprint,
                (None, Some(hex)) => hex::decode(hex.trim().replace(':', ""))
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .context("--fingerprint: 64 hex digits (SHA-256)")?,
                (None, None) => bail!("give --cert or --fingerprint"),
            };
            tenants::revoke_cert(store, &fingerprint).await?;
        }
    }
    Ok(())
}

/// Certificate subjects are untrusted text: control characters never reach the terminal.
fn escape(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}
