//! The storage as one object: every concern's trait, the evidence writer and the probes.

use async_trait::async_trait;

use super::audit::AuditStore;
use super::blocks::BlockStore;
use super::evidence::EvidenceStore;
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
