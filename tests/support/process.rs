//! The real `notarium` binary as a child process: commands, and servers (`serve`, `witness`)
//! started on port 0, whose address is read from the `listen-addr` file they write.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use crate::support::backend::database_env;
use crate::support::wait_until;

/// The binary under test.
pub const BINARY: &str = env!("CARGO_BIN_EXE_notarium");

/// A command running the binary under test.
pub fn notarium() -> Command {
    Command::new(BINARY)
}

/// A command running the binary under test on the database of the data directory `data`
/// (on PostgreSQL, `NOTARIUM_DATABASE_URL`: [`crate::support::backend`]).
pub fn notarium_on(data: &Path) -> Command {
    let mut cmd = notarium();
    cmd.envs(database_env(data));
    cmd
}

/// `path` opened for appending (created if missing), as a child's output.
pub fn append_to(path: &Path) -> Stdio {
    Stdio::from(std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap())
}

/// A child process that is killed (SIGKILL) and reaped when dropped.
pub struct Proc(Option<Child>);

impl Proc {
    /// Spawns `cmd` (its output directed by the caller).
    pub fn spawn(cmd: &mut Command) -> Self {
        Self(Some(cmd.spawn().unwrap()))
    }

    /// Waits (polling, `timeout` at most) until it exits by itself: how it exited.
    pub async fn exit_within(mut self, timeout: Duration) -> ExitStatus {
        let child = self.0.as_mut().expect("a running child");
        let status = wait_until(timeout, async || child.try_wait().unwrap().ok_or("it is still running")).await;
        self.0 = None;
        status
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child().id()
    }

    fn child(&self) -> &Child {
        self.0.as_ref().expect("a running child")
    }

    /// SIGKILL, and reaps it.
    pub fn kill(mut self) {
        let mut child = self.0.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// SIGTERM, and waits for it to exit: how it exited.
    pub async fn terminate(mut self) -> ExitStatus {
        let mut child = self.0.take().unwrap();
        let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(status.success(), "kill -TERM {}", child.id());
        tokio::task::spawn_blocking(move || child.wait()).await.unwrap().unwrap()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Spawns `cmd` (its output directed by the caller) and waits (30 s at most) until it writes
/// `addr_file`, which is removed first: the process and the address it listens on. A process
/// that exits or never listens fails the test with `log`, where its errors go.
pub async fn start_listening(cmd: &mut Command, addr_file: &Path, log: &Path) -> (Proc, String) {
    let _ = std::fs::remove_file(addr_file);
    let mut proc = Proc::spawn(cmd);
    let addr = wait_until(Duration::from_secs(30), async || {
        if let Ok(addr) = std::fs::read_to_string(addr_file) {
            return Ok(addr);
        }
        let exited = proc.0.as_mut().unwrap().try_wait().unwrap();
        assert!(exited.is_none(), "it exited ({exited:?}): {}", std::fs::read_to_string(log).unwrap_or_default());
        Err(format!("it did not start: {}", std::fs::read_to_string(log).unwrap_or_default()))
    })
    .await;
    (proc, addr)
}

/// `notarium serve --listen 127.0.0.1:0 --data DATA ARGS...` with `env`, sealing every 100 ms,
/// its stderr appended to `log` and its stdout dropped: the process and its base URL.
pub async fn serve(data: &Path, args: &[&str], env: &[(&str, &str)], log: &Path) -> (Proc, String) {
    std::fs::create_dir_all(data).unwrap();
    let mut cmd = notarium_on(data);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"]).arg(data).args(args);
    cmd.env("NOTARIUM_SEAL_INTERVAL_MS", "100").env("RUST_LOG", "warn").envs(env.iter().copied());
    cmd.stdout(Stdio::null()).stderr(append_to(log));
    let (proc, addr) = start_listening(&mut cmd, &data.join("listen-addr"), log).await;
    (proc, format!("http://{addr}"))
}

/// `notarium admin --data DATA ARGS...`: its output.
pub fn admin(data: &Path, args: &[&str]) -> std::process::Output {
    notarium_on(data).args(["admin", "--data"]).arg(data).args(args).output().unwrap()
}

/// `notarium admin tenant create`: the new tenant's key.
pub fn create_tenant(data: &Path, name: &str, role: &str, issuer_code: Option<&str>) -> String {
    let mut args = vec!["tenant", "create", "--name", name, "--role", role];
    if let Some(code) = issuer_code {
        args.extend(["--issuer-code", code]);
    }
    let out = admin(data, &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
