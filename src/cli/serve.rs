//! `notarium serve [--listen ADDR] [--data DIR] [--config FILE]` (the default command).

use std::path::PathBuf;
use std::process::ExitCode;

use toml::{Table, Value};

use crate::app::Application;
use crate::config::Settings;

#[derive(clap::Args, Debug, Default)]
pub struct ServeArgs {
    /// Address of the HTTP API (default 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<String>,
    /// Data directory (default ./data).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Settings file (default ./notarium.toml when it exists).
    #[arg(long)]
    config: Option<PathBuf>,
}

impl ServeArgs {
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let mut flags = Table::new();
        if let Some(listen) = &self.listen {
            flags.insert("listen".into(), Value::String(listen.clone()));
        }
        if let Some(data) = &self.data {
            flags.insert("data".into(), Value::String(data.display().to_string()));
        }
        Settings::load(self.config.as_deref(), std::env::vars(), flags)
    }
}

pub fn run(args: &ServeArgs) -> ExitCode {
    super::init_logging();
    let settings = match args.settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("notarium serve: {e:#}");
            return ExitCode::from(2);
        }
    };
    let result = actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings).await?;
        app.run_until_stopped().await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("notarium serve: {e:#}");
            ExitCode::FAILURE
        }
    }
}
