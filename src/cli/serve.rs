//! `notarium serve [--listen ADDR] [--data DIR] [--config FILE]` (the default command).

use std::path::PathBuf;
use std::process::ExitCode;

use toml::{Table, Value};

use crate::app::{Application, Unusable};
use crate::config::{LogFormat, Settings};

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
    /// Log lines as human-readable `text` (default) or `json`.
    #[arg(long, value_enum)]
    log_format: Option<LogFormat>,
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
        if let Some(format) = self.log_format {
            let name = if format == LogFormat::Json { "json" } else { "text" };
            flags.insert("log_format".into(), Value::String(name.into()));
        }
        Settings::load(self.config.as_deref(), std::env::vars(), flags)
    }
}

pub fn run(args: &ServeArgs) -> ExitCode {
    let settings = match args.settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("notarium serve: {e:#}");
            return ExitCode::from(2);
        }
    };
    super::init_logging_as(settings.log_format);
    let result = actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings).await?;
        app.run_until_stopped().await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("notarium serve: {e:#}");
            ExitCode::from(if e.is::<Unusable>() { 2 } else { 1 })
        }
    }
}

/// `notarium config`: the effective settings as TOML, secrets redacted.
pub fn print_config(args: &ServeArgs) -> ExitCode {
    match args.settings() {
        Ok(settings) => {
            print!("{}", settings.redacted_toml());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("notarium config: {e:#}");
            ExitCode::from(2)
        }
    }
}
