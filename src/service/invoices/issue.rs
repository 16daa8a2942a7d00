//! Issuing an invoice: validated, hashed as canonical JSON, stored and registered as an
//! `invoice` record, with the hospital's detached CMS signature when it sent one.

use base64::Engine;
use serde_json::Value;

use super::{Applied, InvoiceState, key_json, operation_record, submit, unexpected, wrong_role};
use crate::crypto::document_signature::{DocumentAnchors, DocumentSignatureError, check_detached};
use crate::domain::canonical::canonical_json;
use crate::domain::invoice::Invoice;
use crate::domain::{EvidenceKind, Hash, TenantRole, Timestamp};
use crate::ingest::Ingest;
use crate::service::records::RecordState;
use crate::service::{Caller, FieldError};
use crate::store::Store;
use crate::store::invoices::{InvoiceKey, InvoiceOp, NewInvoice, OpRefused};

/// The longest signature accepted: 16 KiB of base64.
const MAX_SIGNATURE: usize = 16 << 10;

/// Why an invoice was not issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The caller is not a hospital.
    #[error("only a hospital issues invoices")]
    RoleForbidden { actual: TenantRole },
    /// The invoice breaks the model (docs/invoices.md): one entry per field.
    #[error("the invoice is invalid")]
    Invalid(Vec<FieldError>),
    /// The invoice's issuer is not the caller's issuer code.
    #[error("a hospital issues invoices only under its own issuer code")]
    IssuerNotYours,
    /// The signature is not base64, does not verify, or its certificate is not enrolled for
    /// the caller; the text says which.
    #[error("{0}")]
    InvalidSignature(String),
    /// The signing certificate's key usage allows neither digitalSignature nor
    /// nonRepudiation (or it is a CA's); the text says what it allows.
    #[error("{0}")]
    SignerKeyUsage(String),
    /// The signing certificate does not chain to a hospital document-signing anchor (the
    /// `hospital_trust` setting; the witnesses' CAs do not count).
    #[error("{0}")]
    SignerUntrusted(String),
    /// This issuer already issued an invoice with this code and number.
    #[error("this issuer already issued an invoice with this invoice_code and invoice_number")]
    Exists,
    /// A server fault (storage, the writer).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Issues `invoice` (the JSON as sent, object keys unique) under the caller's issuer code;
/// `signature` is the base64 of a detached CMS signature over its canonical JSON.
pub async fn issue(
    store: &Store,
    ingest: &Ingest,
    anchors: &DocumentAnchors,
    caller: &Caller,
    invoice: &Value,
    signature: Option<&[u8]>,
) -> Result<InvoiceState, IssueError> {
    if let Some(actual) = wrong_role(caller, TenantRole::Hospital) {
        return Err(IssueError::RoleForbidden { actual });
    }
    let parsed = Invoice::parse(invoice).map_err(|errors| {
        IssueError::Invalid(errors.into_iter().map(|e| FieldError::new(e.pointer, e.code, e.message)).collect())
    })?;
    if caller.0.issuer_code.as_deref() != Some(parsed.issuer.as_str()) {
        return Err(IssueError::IssuerNotYours);
    }
    let key = InvoiceKey { issuer: parsed.issuer, code: parsed.invoice_code, number: parsed.invoice_number };
    let canonical = canonical_json(invoice);
    let content_hash = Hash::of(&canonical);
    let signature = match signature {
        Some(base64) => Some(hospital_signature(base64, &canonical, caller, store, anchors).await?),
        None => None,
    };
    let new = NewInvoice {
        key: key.clone(),
        currency: parsed.currency,
        total: parsed.total,
        reimbursable: parsed.reimbursable,
        body: String::from_utf8(canonical).map_err(|e| anyhow::anyhow!(e))?,
        signature,
    };
    let mut record = operation_record(EvidenceKind::Invoice, key_json(&key));
    record.content_hash = content_hash;
    let created = match submit(ingest, caller, InvoiceOp::Issue(new), record).await? {
        Applied::Created(created) => *created,
        Applied::Refused(OpRefused::InvoiceExists) => return Err(IssueError::Exists),
        Applied::Refused(other) => return Err(unexpected(other).into()),
        Applied::Repeated(_) => return Err(anyhow::anyhow!("an issuance was answered as a repeated claim").into()),
    };
    let row = store.invoice(&key).await?.ok_or_else(|| anyhow::anyhow!("the issued invoice is missing"))?;
    Ok(InvoiceState { row, record: RecordState::pending(created) })
}

/// Checks the signature: the DER and the signer's subject, or why not.
async fn hospital_signature(
    base64: &[u8],
    canonical: &[u8],
    caller: &Caller,
    store: &Store,
    anchors: &DocumentAnchors,
) -> Result<(Vec<u8>, String), IssueError> {
    let refuse = IssueError::InvalidSignature;
    if base64.len() > MAX_SIGNATURE {
        return Err(refuse("Invoice-Signature is limited to 16 KiB of base64".into()));
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|e| refuse(format!("Invoice-Signature is not base64: {e}")))?;
    let signer = check_detached(&der, canonical, anchors, Timestamp::now()).map_err(|e| match e {
        DocumentSignatureError::Invalid(_) => refuse(e.to_string()),
        DocumentSignatureError::KeyUsage(_) => IssueError::SignerKeyUsage(e.to_string()),
        DocumentSignatureError::Untrusted(_) => IssueError::SignerUntrusted(e.to_string()),
    })?;
    let enrolled = store.tenant_by_client_cert(&signer.fingerprint).await?;
    if enrolled.is_none_or(|t| t.id != caller.0.id) {
        return Err(refuse(format!(
            "the signing certificate ({}) is not enrolled for this hospital (notarium admin tenant cert add)",
            signer.subject
        )));
    }
    Ok((der, signer.subject))
}
