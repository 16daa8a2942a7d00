//! Rate limits and quotas (GCRA, `governor`): per tenant by role, requests/s and request bytes/s
//! (`Content-Length` before the handler runs, then what is read beyond it: a chunked body as it
//! streams, through [`body_guard`]); per client IP on the anonymous routes; failed authentications (an
//! unknown API key or client certificate) per client IP. Over a limit: `429 rate_limited` with
//! `Retry-After`, before the handler runs.
//!
//! The middleware resolves the bearer key to its tenant once and leaves the tenant in the
//! request's extensions, where the `Caller` extractor finds it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest, ResponseError, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota as Gcra, RateLimiter};

use super::auth::authenticate;
use super::body_guard::{self, BodyPace, Charge, Cut};
use crate::config::{FailedAuthLimit, Quota, RateLimitSettings};
use crate::domain::{TenantId, TenantRole};
use crate::metrics::Metrics;
use crate::problem::Problem;
use crate::store::{Store, Tenant};

/// The routes anyone may call, limited per client IP.
pub const ANONYMOUS_ROUTES: [&str; 5] = ["/v1/verify", "/v1/images/search", "/verify", "/search", "/login"];

/// One quota's two limiters; `None` where the quota says unlimited.
struct Limiter<K: std::hash::Hash + Eq + Clone> {
    requests: Option<DefaultKeyedRateLimiter<K>>,
    bytes: Option<DefaultKeyedRateLimiter<K>>,
    burst_bytes: u32,
}

impl<K: std::hash::Hash + Eq + Clone> Limiter<K> {
    fn new(q: &Quota) -> Self {
        let gcra = |rate: u64, burst: u64| {
            let rate = NonZeroU32::new(u32::try_from(rate).unwrap_or(u32::MAX))?;
            let burst = NonZeroU32::new(u32::try_from(burst.max(1)).unwrap_or(u32::MAX))?;
            Some(RateLimiter::keyed(Gcra::per_second(rate).allow_burst(burst)))
        };
        Self {
            requests: gcra(q.requests_per_second.into(), q.burst_requests.into()),
            bytes: gcra(q.bytes_per_second, q.burst_bytes),
            burst_bytes: u32::try_from(q.burst_bytes.max(1)).unwrap_or(u32::MAX),
        }
    }

    /// `Err(wait)` when `key` is over its quota; a body larger than the byte burst takes the
    /// whole burst.
    fn check(&self, key: &K, bytes: u64) -> Result<(), Duration> {
        if let Some(requests) = &self.requests {
            let now = DefaultClock::default().now();
            requests.check_key(key).map_err(|not_until| not_until.wait_time_from(now))?;
        }
        self.check_bytes(key, bytes)
    }

    /// Charges `bytes` of a body to `key`'s byte quota (more than the burst take the burst).
    fn check_bytes(&self, key: &K, bytes: u64) -> Result<(), Duration> {
        let now = DefaultClock::default().now();
        let cells = u32::try_from(bytes).unwrap_or(u32::MAX).min(self.burst_bytes);
        if let (Some(limiter), Some(n)) = (&self.bytes, NonZeroU32::new(cells)) {
            match limiter.check_key_n(key, n) {
                Ok(Ok(())) => {}
                Ok(Err(not_until)) => return Err(not_until.wait_time_from(now)),
                Err(_) => return Err(Duration::from_secs(1)), // cannot happen: n ≤ burst
            }
        }
        Ok(())
    }

    fn retain_recent(&self) {
        self.requests.iter().chain(&self.bytes).for_each(|l| {
            l.retain_recent();
            l.shrink_to_fit();
        });
    }
}

/// Every limiter of the service.
pub struct RateLimits {
    tenants: HashMap<TenantRole, Limiter<TenantId>>,
    anonymous: Limiter<IpAddr>,
    failed_auth: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings) -> Self {
        let tenants = TenantRole::ALL.into_iter().map(|r| (r, Limiter::new(&settings.for_role(r)))).collect();
        let failed_auth = failed_auth_limiter(&settings.failed_auth_per_ip);
        Self { tenants, anonymous: Limiter::new(&settings.anonymous_per_ip), failed_auth }
    }

    /// Counts one failed authentication from `ip`: `Err(wait)` once the address is over its
    /// allowance.
    fn charge_failed_auth(&self, ip: IpAddr) -> Result<(), Duration> {
        let Some(limiter) = &self.failed_auth else { return Ok(()) };
        let now = DefaultClock::default().now();
        limiter.check_key(&client_key(ip)).map_err(|not_until| not_until.wait_time_from(now))
    }

    fn check_tenant(&self, tenant: &Tenant, bytes: u64) -> Result<(), Duration> {
        self.tenants.get(&tenant.role).map_or(Ok(()), |l| l.check(&tenant.id, bytes))
    }

    /// Charges a request of a tenant authenticated otherwise than by the middleware (a page's
    /// session): `429 rate_limited` over the role's quota.
    pub fn charge_tenant(&self, tenant: &Tenant, bytes: u64) -> Result<(), Problem> {
        self.check_tenant(tenant, bytes).map_err(|wait| rate_limited("tenant", wait))
    }

    /// Charges the body bytes a handler read beyond the `Content-Length` charged before it ran
    /// ([`body_guard::Unpaid`]) to a tenant authenticated otherwise than by the middleware:
    /// `429 rate_limited` over the role's byte quota.
    pub fn charge_tenant_bytes(&self, tenant: &Tenant, bytes: u64) -> Result<(), Problem> {
        let limiter = self.tenants.get(&tenant.role);
        limiter.map_or(Ok(()), |l| l.check_bytes(&tenant.id, bytes)).map_err(|wait| rate_limited("tenant", wait))
    }

    fn check_ip(&self, ip: IpAddr, bytes: u64) -> Result<(), Duration> {
        self.anonymous.check(&ip, bytes)
    }

    /// Forgets keys whose buckets are full again (run now and then, so that the maps do not
    /// grow with every address ever seen).
    pub fn retain_recent(&self) {
        self.tenants.values().for_each(Limiter::retain_recent);
        self.anonymous.retain_recent();
        if let Some(l) = &self.failed_auth {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

fn failed_auth_limiter(limit: &FailedAuthLimit) -> Option<DefaultKeyedRateLimiter<IpAddr>> {
    let failures = NonZeroU32::new(limit.failures)?;
    let period = Duration::from_secs(limit.window_seconds.max(1).into()) / limit.failures;
    Some(RateLimiter::keyed(Gcra::with_period(period)?.allow_burst(failures)))
}

/// The middleware: the anonymous routes by client IP, everything else by the tenant of the
/// bearer key (requests without a key are left to the handler's `401`; those with a key that
/// is refused count against the client IP's allowance of failed authentications, and get the
/// handler's `401` until it is spent).
pub async fn limit(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let bytes = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let limits = req.app_data::<web::Data<RateLimits>>().cloned();
    let verdict: Result<Option<(&str, Charge)>, _> = match limits {
        None => Ok(None),
        // The decoded path: `/v1/%76erify` reaches the same handler as `/v1/verify`.
        Some(limits) if ANONYMOUS_ROUTES.contains(&req.match_info().as_str()) => match req.peer_addr() {
            Some(peer) => {
                let ip = client_key(peer.ip());
                let verdict = limits.check_ip(ip, bytes).map_err(|wait| ("ip", wait));
                let charge: Charge = Box::new(move |n| limits.anonymous.check_bytes(&ip, n));
                verdict.map(|()| Some(("ip", charge)))
            }
            None => Ok(None),
        },
        Some(limits) => match tenant_of(&req).await {
            Ok(Some(tenant)) => {
                let verdict = limits.check_tenant(&tenant, bytes).map_err(|wait| ("tenant", wait));
                // The request log names the tenant of a refused request too.
                req.extensions_mut().insert(tenant.id);
                req.extensions_mut().insert(tenant.clone());
                let charge: Charge = Box::new(move |n| {
                    limits.tenants.get(&tenant.role).map_or(Ok(()), |l| l.check_bytes(&tenant.id, n))
                });
                verdict.map(|()| Some(("tenant", charge)))
            }
            Ok(None) => Ok(None),
            Err(problem) if problem.status.is_server_error() => {
                return Ok(req.into_response(problem.error_response()).map_into_right_body());
            }
            Err(problem) if problem.status == StatusCode::UNAUTHORIZED && problem.code != "missing_api_key" => {
                match req.peer_addr() {
                    Some(peer) => limits.charge_failed_auth(peer.ip()).map(|()| None).map_err(|wait| ("address", wait)),
                    None => Ok(None),
                }
            }
            Err(_) => Ok(None),
        },
    };
    let (scope, charge) = match verdict {
        Ok(Some((scope, charge))) => (scope, Some(charge)),
        Ok(None) => ("-", None),
        Err((scope, wait)) => {
            count_refusal(req.request(), scope);
            return Ok(req.into_response(rate_limited(scope, wait).error_response()).map_into_right_body());
        }
    };
    let Some(pace) = req.app_data::<web::Data<BodyPace>>().map(|p| *p.get_ref()) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let cut = body_guard::guard(&mut req, pace, bytes, charge);
    let res = next.call(req).await?;
    match cut.get() {
        None => Ok(res.map_into_left_body()),
        Some(cut) => {
            if let Cut::OverQuota(_) = cut {
                count_refusal(res.request(), scope);
            }
            Ok(res.into_response(cut_problem(cut).error_response()).map_into_right_body())
        }
    }
}

fn count_refusal(req: &HttpRequest, scope: &str) {
    if let Some(metrics) = req.app_data::<web::Data<Metrics>>() {
        metrics.rate_limited.get_or_create(&crate::metrics::ScopeLabel { scope: scope.into() }).inc();
    }
}

/// The answer instead of the handler's when the guard cut the body.
fn cut_problem(cut: Cut) -> Problem {
    match cut {
        Cut::TooSlow => Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "the request body came too slowly (see request_body_timeout_ms and min_request_bytes_per_second)",
        ),
        Cut::OverQuota(wait) => rate_limited("caller", wait),
    }
}

/// `429 rate_limited` with `Retry-After` in whole seconds (at least 1).
fn rate_limited(scope: &str, wait: Duration) -> Problem {
    let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    Problem {
        retry_after: Some(seconds),
        ..Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests for this {scope}; retry after {seconds} s"),
        )
    }
}

/// The tenant the request authenticates as (bearer key or client certificate), `None` without
/// a store, or why it does not authenticate (the handler answers the same).
async fn tenant_of(req: &ServiceRequest) -> Result<Option<Tenant>, Problem> {
    let Some(store) = req.app_data::<web::Data<Store>>() else { return Ok(None) };
    authenticate(req.request(), store).await.map(Some)
}

/// An IPv6 client is keyed by its /64, which one client usually owns whole; so rotating
/// addresses inside it neither escapes the limit nor fills the map.
pub(crate) fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::client_key;

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_prefix() {
        let a = client_key("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = client_key("2001:db8:1:2:ffff:1:2:3".parse().unwrap());
        let other = client_key("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, other);
        assert_eq!(client_key("192.0.2.7".parse().unwrap()), "192.0.2.7".parse::<std::net::IpAddr>().unwrap());
    }
}
