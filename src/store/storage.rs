//! The storage as one object: every concern's trait, the evidence writer and the probes.

use async_trait::async_trait;

use super::audit::AuditStore;
use super::blocks::BlockStore;
use super::evidence::EvidenceStore;
use super::halt::HaltStore;
use super::images::ImageStore;
use super::invoices::InvoiceStore;
use super::sessions::SessionStore;
use super::tenants::{ClientCertStore, TenantStore};
use super::writer::RecordWriter;

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
    + HaltStore
    + Send
    + Sync
{
    /// The evidence writer: sequence numbers are allocated inside each of its transactions,
    /// so several writers (processes) on one database never hand out the same number.
    async fn writer(&self) -> anyhow::Result<Box<dyn RecordWriter>>;

    /// Commits, within about half a second, a short write that needs space (for `/readyz`,
    /// when no evidence write went through lately); the error says why it could not.
    async fn commit_probe(&self) -> anyhow::Result<()>;

    /// Whether [`Storage::commit_probe`] commits.
    async fn writable(&self) -> bool {
        self.commit_probe().await.is_ok()
    }

    /// Open connections, and how many of them are idle.
    fn pool_use(&self) -> (u32, usize);

    /// Closes the connections (on shutdown).
    async fn close(&self);
}
