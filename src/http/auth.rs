//! `Authorization: Bearer <api key>` → the calling tenant. Keys are looked up by their SHA-256
//! (so the comparison never runs over the secret itself) and are never logged.
//!
//! Over HTTPS with client certificates (`tls.client_auth`), a request without `Authorization`
//! whose connection presented a certificate (verified against `tls.client_ca` in the
//! handshake) is the tenant an operator mapped that certificate to, by fingerprint. A bearer
//! key, when sent, always decides.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, ORIGIN};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::domain::TenantRole;
use crate::problem::Problem;
use crate::service::access::{self, AuthError, RoleForbidden};
use crate::store::{Store, Tenant};
use crate::tls::ClientCertFingerprint;

pub use crate::service::Caller;

impl FromRequest for Caller {
    type Error = Problem;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Problem>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The rate-limit middleware has usually resolved the tenant already.
        let resolved = req.extensions().get::<Tenant>().cloned();
        let store = req.app_data::<web::Data<Store>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let tenant = match resolved {
                Some(tenant) => tenant,
                None => {
                    let store = store.ok_or_else(|| Problem::internal(&anyhow::anyhow!("no store configured")))?;
                    authenticate(&req, &store).await?
                }
            };
            req.extensions_mut().insert(tenant.id);
            Ok(Caller(tenant))
        })
    }
}

/// The tenant a request authenticates as: its bearer key, else (with no `Authorization`
/// header) the client certificate its connection presented.
pub async fn authenticate(req: &HttpRequest, store: &Store) -> Result<Tenant, Problem> {
    let client_cert = if req.headers().contains_key(AUTHORIZATION) {
        None
    } else {
        req.conn_data::<ClientCertFingerprint>().copied()
    };
    let refused = |detail| Problem::new(StatusCode::UNAUTHORIZED, "invalid_client_certificate", detail);
    match (bearer(req), client_cert) {
        (Err(_), Some(cert)) => {
            if sent_for_another_site(req) {
                return Err(refused(
                    "a client certificate does not authenticate a request a browser sends for another site; send a bearer key",
                ));
            }
            Ok(access::by_client_cert(store, &cert.0).await?)
        }
        (key, _) => Ok(access::by_key(store, &key?).await?),
    }
}

impl From<AuthError> for Problem {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::UnknownKey => Problem::new(StatusCode::UNAUTHORIZED, "invalid_api_key", e.to_string()),
            AuthError::UnmappedCertificate => {
                Problem::new(StatusCode::UNAUTHORIZED, "invalid_client_certificate", e.to_string())
            }
            AuthError::Internal(e) => Problem::internal(&e),
        }
    }
}

impl From<RoleForbidden> for Problem {
    fn from(e: RoleForbidden) -> Self {
        Problem::new(StatusCode::FORBIDDEN, "role_not_allowed", e.to_string())
    }
}

/// A browser presents an installed client certificate on its own, also when another site
/// makes it send a request (a form POST needs no CORS preflight). Such requests carry `Origin`
/// or `Sec-Fetch-Site: cross-site|same-site`; API clients send neither.
fn sent_for_another_site(req: &HttpRequest) -> bool {
    let fetch_site = req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok());
    req.headers().contains_key(ORIGIN) || matches!(fetch_site, Some("cross-site" | "same-site"))
}

pub fn bearer(req: &HttpRequest) -> Result<String, Problem> {
    let missing = || Problem::new(StatusCode::UNAUTHORIZED, "missing_api_key", "send Authorization: Bearer <api key>");
    let value = req.headers().get(AUTHORIZATION).ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?;
    match value.split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") && !key.trim().is_empty() => {
            Ok(key.trim().to_owned())
        }
        _ => Err(missing()),
    }
}

/// `403 role_not_allowed` unless the caller has `role`.
pub fn require_role(caller: &Caller, role: TenantRole) -> Result<(), Problem> {
    Ok(caller.require(role)?)
}
