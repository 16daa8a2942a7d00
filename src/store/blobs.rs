//! The originals on disk: `<blobs>/<tenant id>/<BLAKE3 hex>`, content-addressed per owner.
//! An upload arrives in a temporary file on the same file system (so keeping it is a rename)
//! and is kept durably: the file and its directory are synced before the record is written.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::domain::{Hash, TenantId};

/// The local directory of originals and the temporary directory beside it.
#[derive(Debug, Clone)]
pub struct Blobs {
    dir: PathBuf,
    tmp_dir: PathBuf,
}

/// An uploaded file, in a temporary file, with its size and hashes.
pub struct Received {
    pub temp: tempfile::NamedTempFile,
    /// The file name the sender gave, if any.
    pub name: Option<String>,
    pub size: u64,
    pub blake3: Hash,
    /// SHA-256, hex.
    pub sha256: String,
}

/// A file being received: written to a temporary file and hashed (BLAKE3 and SHA-256) as
/// its chunks arrive, never held whole in memory.
pub struct Receiving {
    temp: tempfile::NamedTempFile,
    name: Option<String>,
    size: u64,
    blake3: blake3::Hasher,
    sha256: openssl::sha::Sha256,
}

impl Receiving {
    /// Appends one chunk.
    pub fn write(&mut self, chunk: &[u8]) -> anyhow::Result<()> {
        self.size += chunk.len() as u64;
        self.blake3.update(chunk);
        self.sha256.update(chunk);
        self.temp.write_all(chunk).context("writing the upload")
    }

    /// Bytes received so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn finish(self) -> Received {
        Received {
            temp: self.temp,
            name: self.name,
            size: self.size,
            blake3: self.blake3.finalize().into(),
            sha256: hex::encode(self.sha256.finish()),
        }
    }
}

impl Blobs {
    pub fn new(dir: PathBuf, tmp_dir: PathBuf) -> Self {
        Self { dir, tmp_dir }
    }

    /// A new temporary file for an upload named `name`.
    pub fn receive(&self, name: Option<String>) -> anyhow::Result<Receiving> {
        std::fs::create_dir_all(&self.tmp_dir).context("creating the upload directory")?;
        let temp = tempfile::NamedTempFile::new_in(&self.tmp_dir).context("creating a temporary file")?;
        Ok(Receiving { temp, name, size: 0, blake3: blake3::Hasher::new(), sha256: openssl::sha::Sha256::new() })
    }

    /// Where the original `owner` kept under `hash` is (whether or not one was kept).
    pub fn path(&self, owner: &TenantId, hash: &Hash) -> PathBuf {
        self.dir.join(owner.to_string()).join(hash.to_string())
    }

    /// Moves the upload to `<blobs>/<owner>/<hash>` durably (file and directory synced); an
    /// original already kept stays as it is.
    pub async fn keep(&self, temp: tempfile::NamedTempFile, owner: &TenantId, hash: &Hash) -> anyhow::Result<()> {
        let dir = self.dir.join(owner.to_string());
        let path = self.path(owner, hash);
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            if path.exists() {
                return Ok(());
            }
            temp.as_file().sync_all().context("syncing the upload")?;
            temp.persist(&path).with_context(|| format!("keeping {}", path.display()))?;
            std::fs::File::open(&dir).and_then(|d| d.sync_all()).context("syncing the blob directory")
        })
        .await
        .map_err(|e| anyhow::anyhow!("blocking task: {e}"))?
    }

    /// The original `owner` kept under `hash`; `None` when none was kept (a record
    /// registered by hash only).
    pub async fn read(&self, owner: &TenantId, hash: &Hash) -> anyhow::Result<Option<Vec<u8>>> {
        let path = self.path(owner, hash);
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow::Error::new(e).context(format!("reading {}", path.display()))),
        }
    }
}
