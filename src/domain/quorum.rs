//! The quorum policy: which co-signatures make a block anchored and a receipt valid.
//!
//! Written `court=1,notary=1,distinct_keys=2` on command lines and as a TOML table
//! `quorum = { court = 1, notary = 1, distinct_keys = 2 }` in settings. k-of-n over both roles
//! is `court=0,notary=0,distinct_keys=k`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::names::Role;

/// At least `court` distinct court keys, `notary` distinct notary keys, and `distinct_keys`
/// distinct keys in all (so one key certified under two roles counts once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawPolicy")]
pub struct QuorumPolicy {
    pub court: usize,
    pub notary: usize,
    pub distinct_keys: usize,
}

impl Default for QuorumPolicy {
    /// One court and one notary, with two different keys.
    fn default() -> Self {
        Self { court: 1, notary: 1, distinct_keys: 2 }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QuorumError {
    #[error("distinct_keys must be at least 1")]
    Empty,
    #[error("distinct_keys ({keys}) is less than court + notary ({sum}): court and notary keys must differ")]
    TooFewKeys { keys: usize, sum: usize },
    #[error("expected court=N,notary=N,distinct_keys=N, got {0:?}")]
    Syntax(String),
    #[error(
        "the policy needs {needed} but only {configured} {what} witness(es) are configured, so nothing could ever be anchored"
    )]
    Unsatisfiable { what: &'static str, needed: usize, configured: usize },
}

impl QuorumPolicy {
    pub fn new(court: usize, notary: usize, distinct_keys: usize) -> Result<Self, QuorumError> {
        if distinct_keys == 0 {
            return Err(QuorumError::Empty);
        }
        if distinct_keys < court + notary {
            return Err(QuorumError::TooFewKeys { keys: distinct_keys, sum: court + notary });
        }
        Ok(Self { court, notary, distinct_keys })
    }

    /// Whether witnesses with these roles (one key each) can ever meet the policy.
    pub fn satisfiable_by(&self, courts: usize, notaries: usize) -> Result<(), QuorumError> {
        let short = |what, needed, configured| Err(QuorumError::Unsatisfiable { what, needed, configured });
        if courts < self.court {
            return short("court", self.court, courts);
        }
        if notaries < self.notary {
            return short("notary", self.notary, notaries);
        }
        if courts + notaries < self.distinct_keys {
            return short("in all", self.distinct_keys, courts + notaries);
        }
        Ok(())
    }
}

/// How valid co-signatures count against a policy: each key once, and for one role (a key
/// certified as both court and notary can fill either gap, not both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub keys: usize,
    pub court: usize,
    pub notary: usize,
    pub both: usize,
    pub met: bool,
}

impl QuorumPolicy {
    /// Counts the signers (key id, certified role) of valid co-signatures. A key is anything
    /// that tells keys apart: a key id, or a witness name where each witness has its own key.
    pub fn tally<K: Ord>(&self, signers: impl IntoIterator<Item = (K, Role)>) -> Tally {
        let mut roles: BTreeMap<K, BTreeSet<Role>> = BTreeMap::new();
        for (key, role) in signers {
            roles.entry(key).or_default().insert(role);
        }
        let only = |role| roles.values().filter(|set| set.len() == 1 && set.contains(&role)).count();
        let (court, notary) = (only(Role::Court), only(Role::Notary));
        let both = roles.values().filter(|set| set.len() > 1).count();
        let keys = roles.len();
        let met =
            self.court.saturating_sub(court) + self.notary.saturating_sub(notary) <= both && keys >= self.distinct_keys;
        Tally { keys, court, notary, both, met }
    }
}

impl QuorumPolicy {
    /// The heights whose signers meet the policy, ascending, from `(height, key, role)` facts
    /// in any order: the one rule anchoring applies (the storage only lists the facts).
    pub fn heights_met<K: Ord>(&self, signers: impl IntoIterator<Item = (u64, K, Role)>) -> Vec<u64> {
        let mut by_height: BTreeMap<u64, Vec<(K, Role)>> = BTreeMap::new();
        for (height, key, role) in signers {
            by_height.entry(height).or_default().push((key, role));
        }
        by_height.into_iter().filter_map(|(height, signers)| self.tally(signers).met.then_some(height)).collect()
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "valid co-signatures from {} distinct key(s): {} court, {} notary, {} certified as both",
            self.keys, self.court, self.notary, self.both
        )
    }
}

impl fmt::Display for QuorumPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "court={},notary={},distinct_keys={}", self.court, self.notary, self.distinct_keys)
    }
}

impl FromStr for QuorumPolicy {
    type Err = QuorumError;

    /// `court=1,notary=1,distinct_keys=2`; a part left out keeps its default, except that
    /// `distinct_keys` defaults to `court + notary` (at least 1).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let syntax = || QuorumError::Syntax(s.to_owned());
        let (mut court, mut notary, mut keys) = (1, 1, None);
        for part in s.split(',') {
            let (name, value) = part.trim().split_once('=').ok_or_else(syntax)?;
            let value: usize = value.trim().parse().map_err(|_| syntax())?;
            match name.trim() {
                "court" => court = value,
                "notary" => notary = value,
                "distinct_keys" => keys = Some(value),
                _ => return Err(syntax()),
            }
        }
        Self::new(court, notary, keys.unwrap_or((court + notary).max(1)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    court: usize,
    notary: usize,
    distinct_keys: usize,
}

impl TryFrom<RawPolicy> for QuorumPolicy {
    type Error = QuorumError;

    fn try_from(r: RawPolicy) -> Result<Self, Self::Error> {
        Self::new(r.court, r.notary, r.distinct_keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_same_text() {
        let p: QuorumPolicy = "court=2,notary=1,distinct_keys=4".parse().unwrap();
        assert_eq!(p, QuorumPolicy { court: 2, notary: 1, distinct_keys: 4 });
        assert_eq!(p.to_string().parse::<QuorumPolicy>().unwrap(), p);
        assert_eq!("court=0,notary=0,distinct_keys=2".parse::<QuorumPolicy>().unwrap().distinct_keys, 2);
        assert_eq!("notary=2".parse::<QuorumPolicy>().unwrap(), QuorumPolicy { court: 1, notary: 2, distinct_keys: 3 });
        assert_eq!("court=1,notary=1".parse::<QuorumPolicy>().unwrap(), QuorumPolicy::default());
    }

    #[test]
    fn refuses_nonsense() {
        for bad in ["", "court", "court=x", "judges=1", "court=-1", "court=1;notary=1"] {
            assert!(matches!(bad.parse::<QuorumPolicy>(), Err(QuorumError::Syntax(_))), "{bad}");
        }
        assert_eq!("court=0,notary=0".parse::<QuorumPolicy>().unwrap().distinct_keys, 1);
        assert_eq!("court=0,notary=0,distinct_keys=0".parse::<QuorumPolicy>(), Err(QuorumError::Empty));
        assert_eq!(
            "court=2,notary=1,distinct_keys=2".parse::<QuorumPolicy>(),
            Err(QuorumError::TooFewKeys { keys: 2, sum: 3 })
        );
        let toml_err = toml::from_str::<QuorumPolicy>("court = 1\nnotary = 1\ndistinct_keys = 1\n").unwrap_err();
        assert!(toml_err.to_string().contains("less than court + notary"), "{toml_err}");
    }

    #[test]
    fn picks_the_heights_whose_signers_meet_it() {
        let policy = QuorumPolicy::default();
        let facts = [
            (3, "court-a", Role::Court),
            (1, "court-a", Role::Court),
            (1, "notary-a", Role::Notary),
            (2, "court-a", Role::Court),
            (2, "court-b", Role::Court),
            (3, "notary-a", Role::Notary),
        ];
        assert_eq!(policy.heights_met(facts), vec![1, 3], "height 2 has no notary");
        let two_of_any = QuorumPolicy::new(0, 0, 2).unwrap();
        assert_eq!(two_of_any.heights_met(facts), vec![1, 2, 3]);
        assert!(policy.heights_met(Vec::<(u64, &str, Role)>::new()).is_empty());
    }

    #[test]
    fn knows_whether_the_witnesses_can_meet_it() {
        let default = QuorumPolicy::default();
        assert!(default.satisfiable_by(1, 1).is_ok());
        assert!(matches!(default.satisfiable_by(2, 0), Err(QuorumError::Unsatisfiable { what: "notary", .. })));
        let two_of_three = QuorumPolicy::new(0, 0, 2).unwrap();
        assert!(two_of_three.satisfiable_by(2, 1).is_ok());
        assert!(two_of_three.satisfiable_by(1, 0).is_err());
    }
}
