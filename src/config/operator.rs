//! The operator's identity and the certificate's settings: who runs this service (shown on every
//! evidence certificate and in its signed PDF), which key signs the PDF, which time zone the
//! local time is given in and which CJK font the PDF embeds.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

impl super::Settings {
    /// The operator's identity as certificates print it.
    pub fn operator(&self) -> OperatorIdentity {
        OperatorIdentity::of(
            self.operator_legal_name.as_deref(),
            self.operator_address.as_deref(),
            self.operator_registration.as_deref(),
        )
    }
}

/// Shown when `operator_legal_name` is not set: the certificate says plainly that no real
/// operator stands behind it.
pub const DEV_OPERATOR_NAME: &str = "Notarium development operator (not a real operator; set operator_legal_name)";
/// Shown when `operator_address` is not set.
pub const DEV_OPERATOR_ADDRESS: &str = "No address (development; set operator_address)";
/// Shown when `operator_registration` is not set.
pub const DEV_OPERATOR_REGISTRATION: &str = "None (development; set operator_registration)";
/// The default `certificate_time_zone`.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";
/// The default `certificate_font`: Noto Sans CJK from Debian's `fonts-noto-cjk` (SIL OFL 1.1).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// Who operates the service, as printed on a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorIdentity {
    pub legal_name: String,
    pub address: String,
    /// The registration or licence number.
    pub registration: String,
    /// None of the three was set: a development operator.
    pub development: bool,
}

impl OperatorIdentity {
    /// The settings, each unset one replaced by its development text.
    pub fn of(legal_name: Option<&str>, address: Option<&str>, registration: Option<&str>) -> Self {
        let or = |v: Option<&str>, dev: &str| v.map_or_else(|| dev.to_owned(), str::to_owned);
        Self {
            development: legal_name.is_none() && address.is_none() && registration.is_none(),
            legal_name: or(legal_name, DEV_OPERATOR_NAME),
            address: or(address, DEV_OPERATOR_ADDRESS),
            registration: or(registration, DEV_OPERATOR_REGISTRATION),
        }
    }
}

/// What the certificate page and PDF are made with, built once at start-up.
#[derive(Debug, Clone)]
pub struct CertificateSetup {
    pub operator: OperatorIdentity,
    /// The zone local times are given in.
    pub zone: chrono_tz::Tz,
    /// The CJK font the PDF embeds a subset of.
    pub font: PathBuf,
    /// The operator's document-signing key; `None`: the PDF route answers `503`.
    pub signer: Option<std::sync::Arc<crate::crypto::pades::DocumentSigner>>,
}

/// A time zone name of the IANA database (`Asia/Shanghai`, `Europe/Berlin`, `UTC`).
pub fn time_zone(name: &str) -> anyhow::Result<chrono_tz::Tz> {
    name.parse()
        .map_err(|_| anyhow::anyhow!("{name:?} is not a time zone of the IANA database, e.g. \"Asia/Shanghai\""))
}

/// Where the operator's document-signing key and certificate chain are: both settings, or the
/// dev PKI's `operator.key` and `operator.pem` when neither is set.
pub fn signing_paths(cert: Option<&Path>, key: Option<&Path>, pki: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    match (cert, key) {
        (Some(c), Some(k)) => Ok((c.to_owned(), k.to_owned())),
        (None, None) => Ok((pki.join("operator.pem"), pki.join("operator.key"))),
        _ => {
            bail!("setting operator_signing_cert: give both operator_signing_cert and operator_signing_key, or neither")
        }
    }
}

/// Checks the certificate settings at start-up.
pub fn check(zone: &str, cert: Option<&Path>, key: Option<&Path>) -> anyhow::Result<()> {
    time_zone(zone).context("setting certificate_time_zone")?;
    signing_paths(cert, key, Path::new("."))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_identity_is_marked_as_development() {
        let dev = OperatorIdentity::of(None, None, None);
        assert!(dev.development && dev.legal_name.contains("not a real operator"));
        let real = OperatorIdentity::of(Some("Shanghai Evidence Co., Ltd."), None, Some("91310000MA1K000000"));
        assert!(!real.development);
        assert_eq!(real.legal_name, "Shanghai Evidence Co., Ltd.");
        assert_eq!(real.address, DEV_OPERATOR_ADDRESS);
    }

    #[test]
    fn time_zones_and_signing_paths() {
        assert_eq!(time_zone("Asia/Shanghai").unwrap(), chrono_tz::Asia::Shanghai);
        assert!(time_zone("Mars/Olympus").unwrap_err().to_string().contains("IANA"));
        let pki = Path::new("/d/pki");
        assert_eq!(signing_paths(None, None, pki).unwrap().0, pki.join("operator.pem"));
        assert!(signing_paths(Some(Path::new("c.pem")), None, pki).is_err());
    }
}
