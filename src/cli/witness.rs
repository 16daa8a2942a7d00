//! `notarium witness [--config witness.toml] [--listen ADDR] [--state DIR]` runs a witness;
//! `notarium witness enrol --height H --block-hash X` enrols its state at a point of the chain.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use toml::{Table, Value};

use crate::domain::Hash;
use crate::files;
use crate::witness::settings::WitnessProcessSettings;
use crate::witness::{enrol, serve};

#[derive(clap::Args, Debug)]
pub struct WitnessArgs {
    #[command(subcommand)]
    command: Option<WitnessCommand>,
    /// Settings file (default ./witness.toml when it exists).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, global = true)]
    listen: Option<String>,
    /// State directory.
    #[arg(long, global = true)]
    state: Option<PathBuf>,
}

#[derive(clap::Subcommand, Debug)]
enum WitnessCommand {
    /// Start from a point of the operator's chain instead of genesis (after a lost state).
    Enrol {
        #[arg(long)]
        height: u64,
        #[arg(long)]
        block_hash: Hash,
    },
}

pub fn run(args: &WitnessArgs) -> ExitCode {
    super::init_logging();
    match witness(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("notarium witness: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn witness(args: &WitnessArgs) -> anyhow::Result<()> {
    let mut flags = Table::new();
    if let Some(listen) = &args.listen {
        flags.insert("listen".into(), Value::String(listen.clone()));
    }
    if let Some(state) = &args.state {
        flags.insert("state".into(), Value::String(state.display().to_string()));
    }
    let settings = WitnessProcessSettings::load(args.config.as_deref(), std::env::vars(), flags)?;
    if let Some(WitnessCommand::Enrol { height, block_hash }) = &args.command {
        enrol(&settings.state, *height, *block_hash)?;
        eprintln!("enrolled {} at height {height}, block hash {block_hash}", settings.state.display());
        return Ok(());
    }
    let config = settings.config()?;
    actix_web::rt::System::new().block_on(async move {
        let listener = TcpListener::bind(settings.listen).with_context(|| format!("binding {}", settings.listen))?;
        let addr = listener.local_addr()?;
        let server = serve(config, listener)?;
        let handle = server.handle();
        let signals = crate::signals::StopSignals::listen().context("installing the SIGTERM and SIGINT handlers")?;
        files::write_atomically(&settings.state, files::ADDR_FILE, addr.to_string().as_bytes())?;
        tracing::info!("{} witness {} listening on http://{addr}", settings.role, settings.name);
        tokio::spawn(async move {
            signals.wait().await;
            handle.stop(true).await;
        });
        server.await.context("the witness server")
    })
}
