//! Cryptography: CMS co-signatures (openssl), certificate checks (openssl chains, x509-parser
//! names and dates), trust anchors and the development PKI.

pub mod certs;
pub mod checker;
pub mod client_cert;
pub mod cms;
pub mod devpki;
pub mod document_signature;
pub mod pades;
mod pdf_objects;
pub mod trust;

pub use checker::OpensslChecker;
pub use trust::{Anchor, TrustArg, TrustError, TrustStore};
