//! Recently confirmed credentials, so that an API request does not read the database to learn
//! its tenant: an API key's hash (or a client certificate's fingerprint) → its tenant, kept for
//! at most [`TTL`]. Only found credentials are kept (an unknown key always reads the database).
//! Revoking or disabling through this process's store clears the cache at once; through another
//! process (the `notarium admin` CLI beside a running server) it takes effect within [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::tenants::Tenant;

/// How long a confirmed credential is trusted without reading the database again.
pub const TTL: Duration = Duration::from_secs(1);

/// Entries kept at most; past it the cache starts over (it refills from the database).
const MAX_ENTRIES: usize = 10_000;

/// What a tenant authenticates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Credential {
    ApiKey,
    ClientCert,
}

/// A credential: its kind and its hash or fingerprint.
type Key = (Credential, [u8; 32]);

#[derive(Default)]
pub struct CredentialCache {
    /// Each credential's tenant and when the database last confirmed it.
    entries: Mutex<HashMap<Key, (Tenant, Instant)>>,
}

impl CredentialCache {
    pub fn get(&self, kind: Credential, id: &[u8; 32]) -> Option<Tenant> {
        let entries = self.entries.lock().expect("credential cache lock");
        let (tenant, at) = entries.get(&(kind, *id))?;
        (at.elapsed() < TTL).then(|| tenant.clone())
    }

    pub fn put(&self, kind: Credential, id: &[u8; 32], tenant: &Tenant) {
        let mut entries = self.entries.lock().expect("credential cache lock");
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert((kind, *id), (tenant.clone(), Instant::now()));
    }

    /// Forgets everything (after a revocation, a disabling or a new mapping).
    pub fn clear(&self) {
        self.entries.lock().expect("credential cache lock").clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{TenantId, TenantRole};

    fn tenant() -> Tenant {
        Tenant {
            id: TenantId::generate(),
            name: "Shop".into(),
            role: TenantRole::Merchant,
            issuer_code: None,
            disabled: false,
        }
    }

    #[test]
    fn an_entry_lives_for_the_ttl_and_a_clear_forgets_it() {
        let cache = CredentialCache::default();
        let t = tenant();
        assert!(cache.get(Credential::ApiKey, &[1; 32]).is_none());
        cache.put(Credential::ApiKey, &[1; 32], &t);
        assert_eq!(cache.get(Credential::ApiKey, &[1; 32]).map(|t| t.id), Some(t.id));
        assert!(cache.get(Credential::ClientCert, &[1; 32]).is_none(), "kinds are apart");
        cache.clear();
        assert!(cache.get(Credential::ApiKey, &[1; 32]).is_none());
        cache.entries.lock().unwrap().insert((Credential::ApiKey, [2; 32]), (t, Instant::now() - TTL));
        assert!(cache.get(Credential::ApiKey, &[2; 32]).is_none(), "an expired entry");
    }
}
