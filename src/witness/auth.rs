//! The operator's credential: `Authorization: Bearer <token>`, or over HTTPS a pinned client
//! certificate (mTLS). Tokens are kept only as SHA-256 digests and compared in constant time;
//! they are never logged.

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HeaderValue, WWW_AUTHENTICATE};
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::problem::Problem;
use crate::tls::ClientCertFingerprint;

/// The accepted tokens, as SHA-256 digests, and the fingerprints of the accepted client
/// certificates.
pub struct OperatorCredentials {
    tokens: Vec<[u8; 32]>,
    certs: Vec<ClientCertFingerprint>,
}

/// A `401` refusal: the problem plus a `WWW-Authenticate: Bearer` challenge (RFC 6750).
#[derive(Debug)]
pub struct Unauthorized(pub Problem);

impl OperatorCredentials {
    pub fn new(tokens: &[String], certs: Vec<ClientCertFingerprint>) -> Self {
        Self { tokens: tokens.iter().map(|t| openssl::sha::sha256(t.as_bytes())).collect(), certs }
    }

    /// Accepts the request when its connection presented one of the client certificates or
    /// it carries one of the tokens. Every configured digest is compared (no early exit),
    /// each in constant time.
    pub fn authorize(&self, req: &HttpRequest) -> Result<(), Unauthorized> {
        let client_cert = req.conn_data::<ClientCertFingerprint>();
        if client_cert.is_some_and(|c| self.certs.contains(c)) {
            return Ok(());
        }
        let Some(value) = req.headers().get(AUTHORIZATION) else {
            return Err(Unauthorized(match client_cert {
                Some(_) => Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_credential",
                    "the client certificate is not one of this witness's operators",
                ),
                None => Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "missing_credential",
                    "send the operator's token as `Authorization: Bearer <token>`, or connect with its client certificate",
                ),
            }));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.is_empty())
            .map(|(_, token)| token);
        let presented = openssl::sha::sha256(token.unwrap_or_default().as_bytes());
        let matched = self.tokens.iter().fold(false, |acc, known| acc | openssl::memcmp::eq(known, &presented));
        if token.is_some() && matched {
            Ok(())
        } else {
            Err(Unauthorized(Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credential",
                "the credential is not an operator token of this witness",
            )))
        }
    }
}

impl std::fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for Unauthorized {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = self.0.error_response();
        let challenge = match self.0.code {
            "missing_credential" => r#"Bearer realm="notarium-witness""#,
            _ => r#"Bearer realm="notarium-witness", error="invalid_token""#,
        };
        response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn code(tokens: &OperatorCredentials, header: Option<&str>) -> Option<&'static str> {
        let mut req = TestRequest::default();
        if let Some(h) = header {
            req = req.insert_header((AUTHORIZATION, h));
        }
        tokens.authorize(&req.to_http_request()).err().map(|e| e.0.code)
    }

    #[test]
    fn bearer_tokens_are_checked() {
        let tokens = OperatorCredentials::new(&["first-token".into(), "second-token".into()], vec![]);
        assert_eq!(code(&tokens, Some("Bearer first-token")), None);
        assert_eq!(code(&tokens, Some("bearer second-token")), None);
        assert_eq!(code(&tokens, None), Some("missing_credential"));
        for bad in ["Bearer wrong", "Bearer ", "Bearer", "Basic first-token", "Bearer first-token ", "first-token"] {
            assert_eq!(code(&tokens, Some(bad)), Some("invalid_credential"), "{bad:?}");
        }
    }
}
