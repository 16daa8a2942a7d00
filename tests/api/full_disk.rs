//! A real full disk (issue 23): the data directory on a small tmpfs mounted for the test, which
//! needs root (CI runs as root; elsewhere the test says it is skipped, see
//! `support::programs::cannot_run`). The disk fills under registrations; then `503
//! storage_full`; a stop and a start on the full disk (reads served, writes refused, the
//! address file only a warning); space freed, writing resumes by itself; every acknowledged
//! record anchored, none lost, none refused written.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use notarium::domain::{EvidenceId, Hash, TenantRole};
use serde_json::{Value, json};

use crate::support::programs::cannot_run;
use crate::support::{Evidence, Status, TestApp, expect, problem, wait_until};

/// The file system's size, and what the test frees once it is full.
const SIZE: &str = "16m";
const BALLAST_BYTES: usize = 6 << 20;

/// A tmpfs mounted on a directory of its own; unmounted when dropped.
struct Tmpfs {
    mount: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` (after saying why) when this process may not mount.
    fn mount() -> Option<Self> {
        let uid = Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
        if uid.as_deref().ok() != Some("0") {
            cannot_run("mounting a tmpfs needs root (CI runs as root)");
            return None;
        }
        let mount = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={SIZE},mode=0700"), "tmpfs"])
            .arg(mount.path())
            .status()
            .expect("running mount");
        assert!(status.success(), "mount -t tmpfs failed");
        Some(Self { mount })
    }

    fn path(&self) -> &Path {
        self.mount.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.mount.path()).status();
    }
}

/// Registers batches of 50 records with 8 KiB of metadata each until one is refused.
async fn fill(app: &TestApp, acknowledged: &mut Vec<EvidenceId>) -> reqwest::Response {
    let filler = "x".repeat(8 << 10);
    let item = |text: &str| json!({ "kind": "document", "content_hash": Hash::of(text.as_bytes()), "metadata": { "filler": filler } });
    super::storage_full::fill(app, acknowledged, 50, item).await
}

/// A small record, retried until it is acknowledged (deadline 10 s).
async fn register_when_there_is_space(app: &TestApp, content: &str) -> EvidenceId {
    let body = json!({ "kind": "document", "content_hash": Hash::of(content.as_bytes()) });
    let key = app.key(TenantRole::Merchant);
    wait_until(Duration::from_secs(10), async || {
        let res = app.post_json("/v1/evidence", Some(key), &body).await;
        match res.status().as_u16() {
            201 => Ok(expect::<Evidence>(res, 201).await.id),
            _ => Err(format!("{:?}", problem(res).await)),
        }
    })
    .await
}

#[actix_web::test]
async fn a_full_disk_refuses_writes_survives_a_restart_and_resumes_once_space_is_freed() {
    let Some(tmpfs) = Tmpfs::mount() else { return };
    let app = TestApp::spawn_on(tempfile::tempdir_in(tmpfs.path()).unwrap(), |_| {}).await;
    let key = app.key(TenantRole::Merchant).to_owned();
    let mut acknowledged = vec![app.register(b"before the disk filled").await.id];
    let ballast: PathBuf = tmpfs.path().join("ballast");
    std::fs::write(&ballast, vec![1u8; BALLAST_BYTES]).unwrap();

    let refused = fill(&app, &mut acknowledged).await;
    assert_eq!(refused.headers().get("retry-after").map(|v| v.to_str().unwrap()), Some("5"));
    assert_eq!(problem(refused).await, (503, "storage_full".to_owned()));
    assert_eq!(app.evidence(acknowledged[0], &key).await.id, acknowledged[0]);

    // A stop and a start on the full disk: reads are served, writes refused, and it says why.
    let data = app.stop().await;
    let app = TestApp::spawn_on(data, |_| {}).await;
    assert_eq!(app.evidence(acknowledged[0], &key).await.id, acknowledged[0]);
    let refused = fill(&app, &mut acknowledged).await;
    assert_eq!(problem(refused).await, (503, "storage_full".to_owned()));
    let ready = app.get("/readyz", None).await;
    let status = ready.status().as_u16();
    let ready: Value = ready.json().await.unwrap();
    assert_eq!((status, &ready["writes_refused"]), (503, &json!("storage_full")), "{ready}");

    std::fs::remove_file(&ballast).unwrap();
    let last = register_when_there_is_space(&app, "with space again").await;
    acknowledged.push(last);
    app.anchored_receipt(last, &key).await;
    assert_eq!(app.evidence_count().await, acknowledged.len() as u64, "acknowledged, and nothing else");
    for id in &acknowledged {
        assert_eq!(app.evidence(id, &key).await.status, Status::Anchored, "{id}");
    }
    drop(app.stop().await);
}
