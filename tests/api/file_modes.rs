//! The real binary creates its files `0600` and its directories `0700` (umask at start), and
//! warns at start about a data directory left open to others.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use crate::support::backend::{BACKEND, Backend};
use crate::support::real_server::RealServer;
use crate::support::wait_until;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[tokio::test]
async fn files_are_created_0600_and_directories_0700_and_a_wider_data_directory_is_warned_about() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("fresh");
    let server = RealServer::start(root.path(), &data).await;
    assert_eq!(mode(&data), 0o700, "the data directory");
    assert_eq!(mode(&data.join("pki")), 0o700, "pki/");
    assert_eq!(mode(&data.join("pki/trust/ca.pem")), 0o600, "a file written with the default mode");
    assert_eq!(mode(&data.join("listen-addr")), 0o600);
    if BACKEND == Backend::Sqlite {
        let db = data.join(notarium::store::DB_FILE);
        let wal = data.join(format!("{}-wal", notarium::store::DB_FILE));
        wait_until(Duration::from_secs(10), async || if wal.exists() { Ok(()) } else { Err("no -wal yet") }).await;
        assert_eq!((mode(&db), mode(&wal)), (0o600, 0o600), "the database and its -wal");
    }
    server.stop().await;

    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = RealServer::start(root.path(), &data).await;
    let (_, stderr) = server.stop().await;
    let stderr = String::from_utf8_lossy(&stderr);
    let warned = stderr.lines().any(|l| l.contains("\"WARN\"") && l.contains("is mode 755"));
    assert!(warned, "no warning about the data directory: {stderr}");
}
