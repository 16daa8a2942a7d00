//! Trust anchors: the CA certificates a verifier accepts, each with the witness roles it may
//! certify (a court CA cannot make a notary).

use std::path::{Path, PathBuf};

use openssl::x509::X509;

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

/// Why trust anchors could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read trust anchors from {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} holds no PEM certificate: {reason}")]
    NotPem { path: PathBuf, reason: String },
}

impl TrustStore {
    pub fn new(anchors: Vec<Anchor>) -> Self {
        Self { anchors }
    }

    /// Every certificate in each PEM file, allowed for every witness role.
    pub fn from_pem_files(paths: &[PathBuf]) -> Result<Self, TrustError> {
        let mut anchors = Vec::new();
        for path in paths {
            let bytes = std::fs::read(path).map_err(|source| TrustError::Read { path: path.clone(), source })?;
            let certs = X509::stack_from_pem(&bytes)
                .map_err(|e| TrustError::NotPem { path: path.clone(), reason: e.to_string() })?;
            if certs.is_empty() {
                return Err(TrustError::NotPem { path: path.clone(), reason: "no certificate found".into() });
            }
            anchors.extend(certs.into_iter().map(|cert| Anchor { cert, roles: vec![Role::Court, Role::Notary] }));
        }
        Ok(Self { anchors })
    }

    /// Every `*.pem` file in `dir` (sorted by name); an empty store when `dir` does not exist.
    pub fn from_dir(dir: &Path) -> Result<Self, TrustError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => return Err(TrustError::Read { path: dir.to_owned(), source }),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pem"))
            .collect();
        paths.sort();
        Self::from_pem_files(&paths)
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The anchors allowed to certify `role`; every anchor when the role is unknown (the role
    /// check then refuses the certificate on its own).
    pub fn anchors_for(&self, role: Option<Role>) -> Vec<X509> {
        self.anchors.iter().filter(|a| role.is_none_or(|r| a.roles.contains(&r))).map(|a| a.cert.clone()).collect()
    }
}
