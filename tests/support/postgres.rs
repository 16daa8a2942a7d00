//! A throw-away PostgreSQL for tests: one cluster per test binary, started on first use, and a
//! fresh database per test, copied from a migrated template (`CREATE DATABASE ... TEMPLATE`).
//!
//! - [`fresh_database`] gives a [`TestDatabase`] (its connect options and URL); its
//!   [`TestDatabase::store`] opens a [`PgStore`] on it (call it twice for two independent
//!   pools, as two API nodes would have). `None` when PostgreSQL is not installed: a test then
//!   returns early, after [`super::programs::cannot_run`] said what to install (and failed in
//!   CI, where `CI` is set).
//! - The cluster is Debian's PostgreSQL (`/usr/lib/postgresql/<version>/bin`, else `initdb` on
//!   the `PATH`), initialised into a directory under the system temp dir, listening on a free
//!   127.0.0.1 port (and a socket in that directory) with `fsync=on` and
//!   `synchronous_commit=on`. `initdb` and `postgres` refuse to run as root: as root the tools
//!   run as the `postgres` account (`runuser -u postgres --`), otherwise directly.
//! - Cleanup: a Rust test binary has no hook that runs at exit (statics are never dropped), so
//!   starting the cluster also starts a reaper, a detached `sh` in its own process group that
//!   polls the test process (`kill -0 <pid>` every 0.2 s) and, once it is gone — finished,
//!   panicked or killed — stops the cluster (`pg_ctl stop -m fast`) and removes its directory.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use notarium::store::Storage;
use notarium::store::postgres::PgStore;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use tokio::sync::OnceCell;

use super::programs::cannot_run;

/// The database every test database is copied from: the migrations applied, nothing else.
const TEMPLATE: &str = "notarium_template";

/// A fresh, migrated database of its own on the test binary's cluster.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    pub name: String,
    pub options: PgConnectOptions,
    /// `postgresql://postgres@127.0.0.1:<port>/<name>`.
    pub url: String,
}

impl TestDatabase {
    /// A new [`PgStore`] (its own pool) on this database.
    pub async fn store(&self) -> PgStore {
        PgStore::connect(self.options.clone()).await.expect("connecting to the test database")
    }

    /// A plain connection, for looking at the tables themselves.
    pub async fn connection(&self) -> PgConnection {
        PgConnection::connect_with(&self.options).await.expect("connecting to the test database")
    }
}

/// A fresh database copied from the migrated template; `None` (after [`cannot_run`]) when
/// PostgreSQL is not installed.
pub async fn fresh_database() -> Option<TestDatabase> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let cluster = cluster().await.as_ref()?;
    let name = format!("t_{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let mut admin = cluster.connect("postgres").await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
    admin.close().await.ok();
    Some(TestDatabase {
        options: cluster.options(&name),
        url: format!("postgresql://postgres@127.0.0.1:{}/{name}", cluster.port),
        name,
    })
}

/// A running cluster with the template database in it.
struct Cluster {
    port: u16,
}

impl Cluster {
    fn options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new().host("127.0.0.1").port(self.port).username("postgres").database(database)
    }

    async fn connect(&self, database: &str) -> PgConnection {
        PgConnection::connect_with(&self.options(database)).await.expect("connecting to the test cluster")
    }
}

/// The binary's cluster, started by the first test that asks (the others wait for it).
async fn cluster() -> &'static Option<Cluster> {
    static CLUSTER: OnceCell<Option<Cluster>> = OnceCell::const_new();
    CLUSTER
        .get_or_init(|| async {
            let Some(bin) = postgres_bin() else {
                cannot_run("PostgreSQL's initdb was not found; install Debian's postgresql package");
                return None;
            };
            let port = start(&bin);
            let cluster = Cluster { port };
            let mut admin = cluster.connect("postgres").await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {TEMPLATE}")))
                .execute(&mut admin)
                .await
                .expect("creating the template database");
            admin.close().await.ok();
            // Migrated once; closed, so that it can be copied (a template has no sessions).
            let store = PgStore::connect(cluster.options(TEMPLATE)).await.expect("migrating the template database");
            store.close().await;
            Some(cluster)
        })
        .await
}

/// The directory of `initdb`, `pg_ctl` and `postgres`: Debian's newest version, else the one
/// on the `PATH`.
fn postgres_bin() -> Option<PathBuf> {
    let debian = std::fs::read_dir("/usr/lib/postgresql").ok().and_then(|versions| {
        let mut bins: Vec<PathBuf> = versions.flatten().map(|v| v.path().join("bin")).collect();
        bins.sort_by_key(|b| b.parent().and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok()));
        bins.into_iter().rev().find(|b| b.join("initdb").is_file())
    });
    debian.or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    })
}

/// A cluster's directory and how to run its tools (as `postgres` when we are root).
struct Server {
    bin: PathBuf,
    base: PathBuf,
    as_root: bool,
}

impl Server {
    /// Initialises a cluster in a new directory under the system temp dir.
    fn init(bin: &Path) -> Self {
        let as_root = std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false);
        let base = std::env::temp_dir().join(format!("notarium-pg-{}-{}", std::process::id(), nanos()));
        std::fs::create_dir_all(base.join("sock")).expect("creating the cluster's directory");
        if as_root {
            run(Command::new("chown").arg("-R").arg("postgres:").arg(&base), "chown");
        }
        let server = Self { bin: bin.to_owned(), base, as_root };
        run(
            server
                .tool("initdb")
                .arg("-D")
                .arg(server.data())
                .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"])
                // The cluster is thrown away: initdb need not wait for its files to reach the
                // disk. The server itself runs with fsync on, as in production.
                .arg("--no-sync"),
            "initdb",
        );
        server
    }

    fn data(&self) -> PathBuf {
        self.base.join("data")
    }

    /// A server tool: as `postgres` when we are root.
    fn tool(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    /// Starts the server on `port`; false when it did not start (the port was taken).
    fn start_on(&self, port: u16) -> bool {
        let server_options = format!(
            "-k {} -c listen_addresses=127.0.0.1 -p {port} -c fsync=on -c synchronous_commit=on -c max_connections=300",
            self.base.join("sock").display()
        );
        self.tool("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.base.join("server.log"))
            .args(["-w", "-t", "30", "-o", &server_options, "start"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("running pg_ctl")
            .success()
    }

    /// Starts the server on a free port (trying another when one is taken in between) and
    /// returns the port.
    fn start(&self) -> u16 {
        for _ in 0..5 {
            let port = free_port();
            if self.start_on(port) {
                return port;
            }
        }
        let log = std::fs::read_to_string(self.base.join("server.log")).unwrap_or_default();
        panic!("the test PostgreSQL did not start on five ports; its log:\n{log}");
    }

    /// Stops the server at once (`-m immediate`: like a crash, no checkpoint) or cleanly.
    fn stop(&self, immediate: bool) {
        let mode = if immediate { "immediate" } else { "fast" };
        run(self.tool("pg_ctl").arg("-D").arg(self.data()).args(["-m", mode, "-w", "stop"]), "pg_ctl stop");
    }
}

/// Initialises a cluster in a new directory, starts it on a free port, starts its reaper, and
/// returns the port.
fn start(bin: &Path) -> u16 {
    let server = Server::init(bin);
    let port = server.start();
    reaper(&server.tool("pg_ctl"), &server.data(), &server.base);
    port
}

/// A cluster of one test's own, which the test may stop and start again (the database going
/// away under the service). Stopped and removed when dropped (and by a reaper if the test
/// process dies first).
pub struct PrivateCluster {
    server: Server,
    pub port: u16,
}

impl PrivateCluster {
    /// `None` (after [`cannot_run`]) when PostgreSQL is not installed.
    pub fn start() -> Option<Self> {
        let Some(bin) = postgres_bin() else {
            cannot_run("PostgreSQL's initdb was not found; install Debian's postgresql package");
            return None;
        };
        let server = Server::init(&bin);
        let port = server.start();
        reaper(&server.tool("pg_ctl"), &server.data(), &server.base);
        Some(Self { server, port })
    }

    /// The URL of database `postgres` (the service migrates it at start).
    pub fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server; `immediate` is a crash (no checkpoint, connections cut).
    pub fn stop(&self, immediate: bool) {
        self.server.stop(immediate);
    }

    /// Starts it again on the same port.
    pub fn restart(&self) {
        assert!(self.server.start_on(self.port), "the test PostgreSQL did not start again on port {}", self.port);
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = self.server.tool("pg_ctl").arg("-D").arg(self.server.data()).args(["-m", "immediate", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.server.base);
    }
}

/// Starts the process that stops the cluster and removes `base` once this process is gone.
/// It outlives this process on purpose (it waits for it to end), so it is never waited for.
#[allow(clippy::zombie_processes)]
fn reaper(pg_ctl: &Command, data: &Path, base: &Path) {
    let mut stop: Vec<String> = vec![pg_ctl.get_program().to_string_lossy().into_owned()];
    stop.extend(pg_ctl.get_args().map(|a| a.to_string_lossy().into_owned()));
    stop.extend(["-D".into(), data.display().to_string(), "-m".into(), "fast".into(), "-w".into(), "stop".into()]);
    let quoted: Vec<String> = stop.iter().map(|a| format!("'{}'", a.replace('\'', "'\\''"))).collect();
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; {stop}; rm -rf '{base}'",
        pid = std::process::id(),
        stop = quoted.join(" "),
        base = base.display(),
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group: a Ctrl-C to the test run does not stop the reaper too.
        .process_group(0)
        .spawn()
        .expect("starting the cluster's reaper");
}

fn run(command: &mut Command, what: &str) {
    let out = command.output().unwrap_or_else(|e| panic!("running {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}
