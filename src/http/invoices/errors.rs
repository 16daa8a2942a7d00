//! The invoice operations' errors as problem+json (docs/errors.md): one `From` per error type,
//! each an exhaustive match, so a new variant does not compile until it has its code.

use actix_web::http::StatusCode;

use crate::domain::TenantRole;
use crate::problem::Problem;
use crate::service::invoices::{CheckError, ClaimError, InvoiceError, IssueError, VoidError, WithdrawError};

impl From<IssueError> for Problem {
    fn from(e: IssueError) -> Self {
        match e {
            IssueError::RoleForbidden { actual } => role_not_allowed(TenantRole::Hospital, actual),
            IssueError::Invalid(errors) => Problem::invalid(errors),
            IssueError::IssuerNotYours => Problem::new(StatusCode::FORBIDDEN, "issuer_not_yours", e.to_string()),
            IssueError::InvalidSignature(why) => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_signature", why)
            }
            IssueError::SignerKeyUsage(why) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "signer_key_usage", why),
            IssueError::SignerUntrusted(why) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "signer_untrusted", why),
            IssueError::Exists => Problem::new(StatusCode::CONFLICT, "invoice_exists", e.to_string()),
            IssueError::Internal(cause) => Problem::internal(&cause),
        }
    }
}

impl From<InvoiceError> for Problem {
    fn from(e: InvoiceError) -> Self {
        match e {
            InvoiceError::RoleForbidden { actual } => role_not_allowed(TenantRole::Hospital, actual),
            InvoiceError::NotFound => Problem::not_found(),
            InvoiceError::Internal(cause) => Problem::internal(&cause),
        }
    }
}

impl From<CheckError> for Problem {
    fn from(e: CheckError) -> Self {
        match e {
            CheckError::RoleForbidden { actual } => role_not_allowed(TenantRole::Insurer, actual),
            CheckError::Invalid(error) => Problem::invalid(vec![error]),
            CheckError::Internal(cause) => Problem::internal(&cause),
        }
    }
}

impl From<ClaimError> for Problem {
    fn from(e: ClaimError) -> Self {
        match e {
            ClaimError::RoleForbidden { actual } => role_not_allowed(TenantRole::Insurer, actual),
            ClaimError::InvalidAmount => {
                Problem::invalid_field("/amount", "invalid_format", "more than zero, as a string like \"456.18\"")
            }
            ClaimError::InvalidReference => {
                Problem::invalid_field("/claim_reference", "invalid_format", "1-100 visible ASCII characters")
            }
            ClaimError::NotFound => Problem::not_found(),
            ClaimError::Voided => Problem::new(StatusCode::CONFLICT, "invoice_voided", e.to_string()),
            ClaimError::Exceeds { remaining } => {
                Problem::new(StatusCode::CONFLICT, "amount_exceeds_remaining", e.to_string())
                    .with("remaining", remaining.to_string())
            }
            ClaimError::ReferenceReused => Problem::new(StatusCode::CONFLICT, "claim_reference_reused", e.to_string()),
            ClaimError::Internal(cause) => Problem::internal(&cause),
        }
    }
}

impl From<WithdrawError> for Problem {
    fn from(e: WithdrawError) -> Self {
        match e {
            WithdrawError::RoleForbidden { actual } => role_not_allowed(TenantRole::Insurer, actual),
            WithdrawError::NotFound => Problem::not_found(),
            WithdrawError::AlreadyWithdrawn => Problem::new(StatusCode::CONFLICT, "claim_withdrawn", e.to_string()),
            WithdrawError::Internal(cause) => Problem::internal(&cause),
        }
    }
}

impl From<VoidError> for Problem {
    fn from(e: VoidError) -> Self {
        match e {
            VoidError::RoleForbidden { actual } => role_not_allowed(TenantRole::Hospital, actual),
            VoidError::NotFound => Problem::not_found(),
            VoidError::InvalidReason => {
                Problem::invalid_field("/reason", "invalid_format", "1-500 characters, no control characters")
            }
            VoidError::Voided => Problem::new(StatusCode::CONFLICT, "invoice_voided", e.to_string()),
            VoidError::Claimed { active } => {
                Problem::new(StatusCode::CONFLICT, "invoice_claimed", e.to_string()).with("active_claims", active)
            }
            VoidError::Internal(cause) => Problem::internal(&cause),
        }
    }
}

/// `403 role_not_allowed`, worded like `http::auth::require_role`.
fn role_not_allowed(required: TenantRole, actual: TenantRole) -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "role_not_allowed",
        format!("only a {} tenant may do this; this key's tenant is a {}", required.as_str(), actual.as_str()),
    )
}
