//! The real `notarium serve` binary on a random port with JSON logs at `RUST_LOG=debug`, its
//! whole output captured, and tenants made with `notarium admin`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct RealServer {
    child: Child,
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
        let mut child = Command::new(env!("CARGO_BIN_EXE_notarium"))
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json", "--data"])
            .arg(data)
            .env("NOTARIUM_DEMO", "false")
            .env("NOTARIUM_SEAL_INTERVAL_MS", "100")
            .env("RUST_LOG", "debug,sqlx=debug")
            .envs(env.iter().copied())
            .stdout(Stdio::from(std::fs::File::create(&stdout).unwrap()))
            .stderr(Stdio::from(std::fs::File::create(&stderr).unwrap()))
            .spawn()
            .unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let base = loop {
            if let Ok(addr) = std::fs::read_to_string(data.join("listen-addr")) {
                break format!("http://{addr}");
            }
            if tokio::time::Instant::now() > deadline || child.try_wait().unwrap().is_some() {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not start: {}", std::fs::read_to_string(&stderr).unwrap_or_default());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        Self { child, base, stdout, stderr }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, a clean exit, and the output: (stdout, stderr).
    pub async fn stop(self) -> (Vec<u8>, Vec<u8>) {
        let Self { mut child, stdout, stderr, .. } = self;
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let stopped = tokio::task::spawn_blocking(move || child.wait()).await.unwrap().unwrap();
        assert!(stopped.success(), "{stopped:?}");
        (std::fs::read(stdout).unwrap(), std::fs::read(stderr).unwrap())
    }
}

/// `notarium admin tenant create`: the new tenant's key.
pub fn create_tenant(data: &Path, name: &str, role: &str, issuer_code: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_notarium"));
    cmd.args(["admin", "--data"]).arg(data).args(["tenant", "create", "--name", name, "--role", role]);
    if let Some(code) = issuer_code {
        cmd.args(["--issuer-code", code]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
