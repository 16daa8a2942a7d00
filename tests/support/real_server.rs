//! The real `notarium serve` binary on a random port with JSON logs at `RUST_LOG=debug`, its
//! whole output captured, and tenants made with `notarium admin`.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::support::process::{Proc, notarium_on, start_listening};

pub use crate::support::process::create_tenant;

pub struct RealServer {
    proc: Proc,
    pub base: String,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl RealServer {
    /// Starts `serve` on `data` without demo tenants; output goes to files under `dir`.
    pub async fn start(dir: &Path, data: &Path) -> Self {
        Self::start_with(dir, data, &[]).await
    }

    /// [`RealServer::start`] with further environment variables (settings).
    pub async fn start_with(dir: &Path, data: &Path, env: &[(&str, &str)]) -> Self {
        let (stdout, stderr) = (dir.join("stdout"), dir.join("stderr"));
        let mut cmd = notarium_on(data);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json", "--data"])
            .arg(data)
            .env("NOTARIUM_DEMO", "false")
            .env("NOTARIUM_SEAL_INTERVAL_MS", "100")
            .env("RUST_LOG", "debug,sqlx=debug")
            .envs(env.iter().copied())
            .stdout(Stdio::from(std::fs::File::create(&stdout).unwrap()))
            .stderr(Stdio::from(std::fs::File::create(&stderr).unwrap()));
        let (proc, addr) = start_listening(&mut cmd, &data.join("listen-addr"), &stderr).await;
        Self { proc, base: format!("http://{addr}"), stdout, stderr }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.proc.id()
    }

    /// SIGTERM, a clean exit, and the output: (stdout, stderr).
    pub async fn stop(self) -> (Vec<u8>, Vec<u8>) {
        let stopped = self.proc.terminate().await;
        assert!(stopped.success(), "{stopped:?}");
        (std::fs::read(self.stdout).unwrap(), std::fs::read(self.stderr).unwrap())
    }
}
