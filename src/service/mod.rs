//! The operations of the service, each written once: typed input (the caller, newtypes parsed
//! at the edge), a typed outcome or error. The edges (`http`, `pages`, `cli`) parse, call one
//! operation and map its result; nothing here knows actix, askama or sqlx.

pub mod access;
pub mod backup;
pub mod blocks;
pub mod certificate;
pub mod evidence;
pub mod halt;
pub mod images;
pub mod invoices;
pub mod migrate;
pub mod online;
pub mod ops;
pub mod receipts;
pub mod records;
pub mod tenants;
pub mod verify;

pub use crate::domain::FieldError;
use crate::store::Tenant;

/// The authenticated tenant an operation runs for.
#[derive(Debug, Clone)]
pub struct Caller(pub Tenant);
