//! The rate limits' settings: quotas per tenant role and per client address.

use serde::{Deserialize, Serialize};

/// One rate: a sustained rate and a burst, for requests and for request-body bytes (as read,
/// whatever the transfer encoding). `0` means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quota {
    pub requests_per_second: u32,
    pub burst_requests: u32,
    pub bytes_per_second: u64,
    pub burst_bytes: u64,
}

impl Default for Quota {
    /// 1,000 requests/s (bursts of 2,000) and 128 MiB/s (bursts of 128 MiB).
    fn default() -> Self {
        Self { requests_per_second: 1_000, burst_requests: 2_000, bytes_per_second: 128 << 20, burst_bytes: 128 << 20 }
    }
}

/// Quotas per tenant role, and per client IP on `/v1/verify`, `/v1/images/search`,
/// `/verify` and `/login`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    pub merchant: Quota,
    pub hospital: Quota,
    pub insurer: Quota,
    pub court: Quota,
    pub notary: Quota,
    pub admin: Quota,
    pub anonymous_per_ip: Quota,
    /// Failed authentications (an unknown API key or client certificate) per client address.
    pub failed_auth_per_ip: FailedAuthLimit,
}

/// At most `failures` failed authentications from one client address within `window_seconds`
/// (the allowance refills evenly over the window); beyond, `429 rate_limited`. `failures = 0`
/// means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FailedAuthLimit {
    pub failures: u32,
    pub window_seconds: u32,
}

impl Default for FailedAuthLimit {
    /// 20 failures a minute.
    fn default() -> Self {
        Self { failures: 20, window_seconds: 60 }
    }
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        let tenant = Quota::default();
        Self {
            merchant: tenant,
            hospital: tenant,
            insurer: tenant,
            court: tenant,
            notary: tenant,
            admin: tenant,
            anonymous_per_ip: Quota {
                requests_per_second: 10,
                burst_requests: 30,
                bytes_per_second: 16 << 20,
                burst_bytes: 64 << 20,
            },
            failed_auth_per_ip: FailedAuthLimit::default(),
        }
    }
}

impl RateLimitSettings {
    /// The quota of a tenant role.
    pub fn for_role(&self, role: crate::domain::TenantRole) -> Quota {
        use crate::domain::TenantRole as R;
        match role {
            R::Merchant => self.merchant,
            R::Hospital => self.hospital,
            R::Insurer => self.insurer,
            R::Court => self.court,
            R::Notary => self.notary,
            R::Admin => self.admin,
        }
    }
}
