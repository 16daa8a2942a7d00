//! Storage: every database access goes through the traits here, whose signatures carry domain
//! types only, so that another backend (PostgreSQL for several API nodes) is one more
//! implementation of them and the handlers do not change.
//!
//! One trait per concern ([`EvidenceStore`], [`BlockStore`], [`TenantStore`], [`ClientCertStore`],
//! [`SessionStore`], [`ImageStore`], [`InvoiceStore`], [`AuditStore`]) and [`Storage`] combining them with the
//! writer and the health probes. [`Store`] is the cheap-to-clone handle the server holds: an
//! `Arc<dyn Storage>` picked at start (the traits are object-safe through `async_trait`).
//!
//! The embedded default is SQLite ([`sqlite`]) in WAL mode with `synchronous=FULL`: a commit is
//! on disk before it returns, so an acknowledged record survives a crash or power loss.

mod audit;
mod blocks;
mod credential_cache;
mod evidence;
mod images;
pub mod invoices;
mod sessions;
pub mod sqlite;
mod tenants;
pub mod writer;

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;

pub use audit::{AuditCursor, AuditRow, AuditStore};
pub use blocks::{BlockRow, BlockStore, CosignFact, CosignatureRow, record_status};
pub use credential_cache::TTL as CREDENTIAL_TTL;
pub use evidence::{EvidenceRecord, EvidenceStore, IdempotencyRecord, NewEvidence};
pub use images::{ImageRow, ImageStore, NewImage};
pub use invoices::InvoiceStore;
pub use sessions::{Session, SessionStore, random_token};
pub use sqlite::DB_FILE;
pub use tenants::{ApiKeyInfo, ClientCertInfo, ClientCertStore, Tenant, TenantStore, hash_api_key};
pub use writer::RecordWriter;

use crate::fingerprint::pdq::Pdq;

/// Every concern of the storage, the evidence writer, and the probes the server reports.
#[async_trait]
pub trait Storage:
    EvidenceStore
    + BlockStore
    + TenantStore
    + ClientCertStore
    + SessionStore
    + ImageStore
    + InvoiceStore
    + AuditStore
    + Send
    + Sync
{
    /// The evidence writer: sequence numbers are allocated inside each of its transactions,
    /// so several writers (processes) on one database never hand out the same number.
    async fn writer(&self) -> anyhow::Result<Box<dyn RecordWriter>>;

    /// Whether a write could start within half a second (for `/readyz`).
    async fn writable(&self) -> bool;

    /// Open connections, and how many of them are idle.
    fn pool_use(&self) -> (u32, usize);

    /// Closes the connections (on shutdown).
    async fn close(&self);
}

/// The handle on the storage the server and the CLI hold; methods are the [`Storage`] traits'.
#[derive(Clone)]
pub struct Store(Arc<dyn Storage>);

impl Store {
    /// Wraps an implementation of the storage.
    pub fn new(storage: impl Storage + 'static) -> Self {
        Self(Arc::new(storage))
    }

    /// Opens (creating if needed) the SQLite database under `data_dir` and applies migrations.
    pub async fn open(data_dir: &Path) -> anyhow::Result<Self> {
        Ok(Self::new(sqlite::SqliteStore::open(data_dir).await?))
    }

    /// Opens an existing SQLite database read-only, without applying migrations (for
    /// `notarium audit` beside a live server). Fails when there is no database under `data_dir`.
    pub async fn open_read_only(data_dir: &Path) -> anyhow::Result<Self> {
        Ok(Self::new(sqlite::SqliteStore::open_read_only(data_dir).await?))
    }

    /// Every stored fingerprint, record by record, in arrival order: the search index's source.
    pub async fn for_each_image_fingerprints(&self, mut each: impl FnMut(u64, &[Pdq]) + Send) -> anyhow::Result<()> {
        self.0.image_fingerprints(&mut each).await
    }
}

impl Deref for Store {
    type Target = dyn Storage;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}
