//! A `notarium` binary started for a benchmark: a fresh data directory, port 0, no demo
//! tenants, the anonymous per-address quota lifted so that only what is measured limits it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Server {
    /// Starts `bin serve` in `dir/data` with `env` added, and waits for its address file.
    pub async fn start(bin: &Path, dir: &Path, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let data: PathBuf = dir.join("data");
        let child = Command::new(bin)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data)
            .env("NOTARIUM_DEMO", "false")
            .env("NOTARIUM_RATE_LIMITS", "{ anonymous_per_ip = { requests_per_second = 0, bytes_per_second = 0 } }")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(dir.join("stderr"))?))
            .spawn()?;
        let mut server = Self { child, base: String::new() };
        let addr_file = data.join("listen-addr");
        for _ in 0..600 {
            if let Ok(addr) = std::fs::read_to_string(&addr_file) {
                server.base = format!("http://{}", addr.trim());
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                anyhow::bail!("{} exited with {status}; see its stderr", bin.display());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server.stop();
        anyhow::bail!("{} did not start listening within 60 s", bin.display())
    }

    /// `host:port`.
    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// The server's peak resident memory so far (`VmHWM`), in MiB.
    pub fn peak_rss_mib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).ok_or_else(|| anyhow::anyhow!("no VmHWM"))?;
        Ok(line.split_whitespace().nth(1).unwrap_or("0").parse::<u64>()? / 1024)
    }

    /// Kills it: the benchmarks write nothing that must be drained.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
