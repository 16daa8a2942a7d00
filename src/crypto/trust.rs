//! Trust anchors: the CA certificates a verifier accepts, each with the witness roles it may
//! certify (a court CA cannot make a notary).
//!
//! An anchor may be an intermediate CA. A chain for role R must end at an anchor allowed for R
//! and must not pass through a configured CA restricted to other roles, so a notary-only CA
//! placed under a root trusted for courts still cannot certify a court.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use openssl::x509::X509;
use serde::Deserialize;

use crate::domain::Role;

/// One anchor and the roles it may certify.
#[derive(Clone)]
pub struct Anchor {
    pub cert: X509,
    pub roles: Vec<Role>,
}

/// The anchors a verifier trusts.
#[derive(Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
}

/// The optional `trust.toml` of a trust directory: file name → roles. Files it does not name
/// are trusted for every role.
pub const TRUST_FILE: &str = "trust.toml";

/// Why trust anchors could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read trust anchors from {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} holds no PEM certificate: {reason}")]
    NotPem { path: PathBuf, reason: String },
    #[error("{0}")]
    Config(String),
}

/// A `--trust` argument: `FILE`, or `ROLES=FILE` with ROLES `court`, `notary` or `court+notary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustArg {
    pub path: PathBuf,
    pub roles: Vec<Role>,
}

impl std::str::FromStr for TrustArg {
    type Err = String;
    fn from_str(arg: &str) -> Result<Self, String> {
        let Some((roles, path)) = arg.split_once('=') else {
            return Ok(Self { path: arg.into(), roles: vec![Role::Court, Role::Notary] });
        };
        let roles = roles
            .split('+')
            .map(|r| {
                r.parse::<Role>()
                    .map_err(|e| format!("{e} in --trust {arg} (use court=FILE, notary=FILE or court+notary=FILE)"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { path: path.into(), roles })
    }
}

impl TrustStore {
    pub fn new(anchors: Vec<Anchor>) -> Self {
        Self { anchors }
    }

    /// Every certificate in each file, allowed for that file's roles.
    pub fn from_args(args: &[TrustArg]) -> Result<Self, TrustError> {
        let mut anchors = Vec::new();
        for arg in args {
            anchors.extend(read_pem(&arg.path)?.into_iter().map(|cert| Anchor { cert, roles: arg.roles.clone() }));
        }
        Ok(Self { anchors })
    }

    /// Every certificate in each PEM file, allowed for every witness role.
    pub fn from_pem_files(paths: &[PathBuf]) -> Result<Self, TrustError> {
        let args: Vec<TrustArg> =
            paths.iter().map(|p| TrustArg { path: p.clone(), roles: vec![Role::Court, Role::Notary] }).collect();
        Self::from_args(&args)
    }

    /// Every `*.pem` file in `dir` (sorted by name), with the roles `trust.toml` gives it (all
    /// roles when it names none); an empty store when `dir` does not exist.
    pub fn from_dir(dir: &Path) -> Result<Self, TrustError> {
        let paths = pem_files(dir)?;
        let mut roles = read_roles(&dir.join(TRUST_FILE))?;
        let args: Vec<TrustArg> = paths
            .into_iter()
            .map(|path| {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let roles = roles.remove(&name).unwrap_or_else(|| vec![Role::Court, Role::Notary]);
                TrustArg { path, roles }
            })
            .collect();
        if let Some(missing) = roles.keys().next() {
            return Err(TrustError::Config(format!("{} names {missing}, which is not a .pem file there", TRUST_FILE)));
        }
        Self::from_args(&args)
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The anchors allowed to certify `role`; every anchor when the role is unknown (the role
    /// check then refuses the certificate on its own).
    pub fn anchors_for(&self, role: Option<Role>) -> Vec<X509> {
        self.anchors.iter().filter(|a| role.is_none_or(|r| a.roles.contains(&r))).map(|a| a.cert.clone()).collect()
    }

    /// The configured CA, if any, that `cert` is and that may not certify `role`. A CA
    /// configured more than once (e.g. `court=ca.pem` and `notary=ca.pem`) may certify the
    /// union of its roles.
    pub fn restricted_against(&self, cert: &X509, role: Role) -> Option<&Anchor> {
        let mut same = self.anchors.iter().filter(|a| a.cert == *cert);
        let first = same.clone().next()?;
        if same.any(|a| a.roles.contains(&role)) { None } else { Some(first) }
    }
}

/// The `*.pem` files in `dir`, sorted by name; none when `dir` does not exist.
pub(crate) fn pem_files(dir: &Path) -> Result<Vec<PathBuf>, TrustError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(TrustError::Read { path: dir.to_owned(), source }),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pem"))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Every certificate of the PEM file `path` (at least one).
pub(crate) fn read_pem(path: &Path) -> Result<Vec<X509>, TrustError> {
    let bytes = std::fs::read(path).map_err(|source| TrustError::Read { path: path.to_owned(), source })?;
    let certs = X509::stack_from_pem(&bytes)
        .map_err(|e| TrustError::NotPem { path: path.to_owned(), reason: e.to_string() })?;
    if certs.is_empty() {
        return Err(TrustError::NotPem { path: path.to_owned(), reason: "no certificate found".into() });
    }
    Ok(certs)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    anchors: BTreeMap<String, Vec<Role>>,
}

/// `trust.toml`: `[anchors]` then `"court-ca.pem" = ["court"]` lines. Absent: no restriction.
fn read_roles(path: &Path) -> Result<BTreeMap<String, Vec<Role>>, TrustError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(source) => return Err(TrustError::Read { path: path.to_owned(), source }),
    };
    let file: RolesFile = toml::from_str(&text).map_err(|e| TrustError::Config(format!("{}: {e}", path.display())))?;
    Ok(file.anchors)
}
