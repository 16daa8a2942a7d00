//! Storage: every database access goes through the traits here, whose signatures carry domain
//! types only, so that another backend (PostgreSQL for several API nodes) is one more
//! implementation of them and the handlers do not change.
//!
//! One trait per concern ([`EvidenceStore`], [`BlockStore`], [`TenantStore`],
//! [`ClientCertStore`], [`SessionStore`], [`ImageStore`], [`InvoiceStore`], [`AuditStore`], [`HaltStore`]) and
//! [`Storage`] (src/store/storage.rs) combining them with the
//! writer and the health probes. [`Store`] is the cheap-to-clone handle the server holds: an
//! `Arc<dyn Storage>` picked at start (the traits are object-safe through `async_trait`).
//!
//! The embedded default is SQLite ([`sqlite`]) in WAL mode with `synchronous=FULL`: a commit is
//! on disk before it returns, so an acknowledged record survives a crash or power loss.

pub mod audit;
pub mod blobs;
pub mod blocks;
mod columns;
pub mod copy;
pub(crate) mod credential_cache;
mod database;
pub mod evidence;
mod fault;
mod fault_kind;
pub mod halt;
mod handle;
pub mod images;
pub mod invoices;
pub mod postgres;
pub(crate) mod rows;
pub mod sessions;
pub(crate) mod sql;
mod sql_on_sqlx;
pub mod sqlite;
mod storage;
pub mod tenants;
mod write_plan;
pub mod writer;

pub use audit::{AuditCursor, AuditRow, AuditStore, LedgerMismatch};
pub use blocks::{BlockRow, BlockStore, CosignFact, CosignatureRow, record_status};
pub use credential_cache::TTL as CREDENTIAL_TTL;
pub use database::Database;
pub use evidence::{EvidenceRecord, EvidenceStore, IdempotencyRecord, NewEvidence};
pub use fault::{Fault, Unavailable, fault_of, is_unavailable};
pub use halt::{HaltStore, LogHalt};
pub use handle::Store;
pub use images::{ImageRow, ImageStore, NewImage};
pub use invoices::InvoiceStore;
pub use sessions::{Session, SessionStore, random_token};
pub use sqlite::{DB_FILE, PageLimit};
pub use storage::Storage;
pub use tenants::{ApiKeyInfo, ClientCertInfo, ClientCertStore, Tenant, TenantStore, hash_api_key};
pub use writer::RecordWriter;
