//! What an evidence certificate shows, as text ready for the page and for its PDF: the
//! operator, the record, its block and root, the witnesses' certificates, the anchoring time in
//! UTC and in the configured zone, what it states and does not, and how to verify it. Anyone
//! sees the public facts (DESIGN §6 and §8: leaf hashes and headers are public); the content
//! hash only its owner.

use chrono_tz::Tz;

use super::i18n::{CertificateTexts, Lang, kind_name, role_name};
use crate::config::OperatorIdentity;
use crate::domain::Timestamp;
use crate::service::certificate::Certificate;

/// The verification command a certificate prints.
pub const VERIFY_COMMAND: &str = "notarium verify receipt.zip --trust ca.pem --file FILE";

/// A co-signature as shown.
pub struct WitnessLine {
    pub name: String,
    pub role: &'static str,
    pub organisation: String,
    pub subject: String,
    pub fingerprint: String,
    pub signed: String,
}

/// The block part, once sealed.
pub struct BlockLine {
    pub height: u64,
    pub block_hash: String,
    pub root: String,
    pub sealed: String,
    /// In UTC and in the local zone, once anchored.
    pub anchored: Option<(String, String)>,
}

/// A whole certificate as text.
pub struct CertificateView {
    pub lang: Lang,
    pub id: String,
    pub kind: &'static str,
    pub received: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub operator: OperatorIdentity,
    pub leaf_hash: String,
    /// The owner's only.
    pub content_hash: Option<String>,
    pub block: Option<BlockLine>,
    pub witnesses: Vec<WitnessLine>,
    /// "existed no later than …", or that no time is stated yet.
    pub statement: String,
    pub page_url: String,
}

impl CertificateView {
    /// `owner`: the visitor owns the record (sees its content hash).
    pub fn of(
        c: &Certificate,
        lang: Lang,
        owner: bool,
        operator: &OperatorIdentity,
        zone: Tz,
        page_url: String,
    ) -> Self {
        let t = lang.certificate();
        let r = &c.certified.record;
        let block = c.certified.block.as_ref().map(|b| BlockLine {
            height: b.block.height,
            block_hash: b.block.block_hash.to_string(),
            root: c.root.map_or_else(|| t.unknown.to_owned(), |h| h.to_string()),
            sealed: b.block.sealed.to_string(),
            anchored: b.block.anchored.map(|a| (utc(a), local(a, zone))),
        });
        let statement = match block.as_ref().and_then(|b| b.anchored.as_ref()) {
            Some((utc, local)) => t.existed.replace("{time}", &format!("{utc} ({local})")),
            None => t.not_anchored.to_owned(),
        };
        let witnesses = c
            .witnesses
            .iter()
            .map(|w| WitnessLine {
                name: w.witness.to_string(),
                role: role_name(lang, Some(w.role)),
                organisation: w.organisation.clone().unwrap_or_else(|| t.unknown.to_owned()),
                subject: w.subject.clone(),
                fingerprint: w.fingerprint.clone(),
                signed: w.signed.map_or_else(|| t.unknown.to_owned(), |s| s.to_string()),
            })
            .collect();
        Self {
            lang,
            id: r.id.to_string(),
            kind: kind_name(lang, r.kind),
            received: r.received.to_string(),
            status: lang.messages().status(c.certified.status),
            status_code: c.certified.status.as_str(),
            operator: operator.clone(),
            leaf_hash: r.leaf_hash.to_string(),
            content_hash: owner.then(|| r.content_hash.to_string()),
            block,
            witnesses,
            statement,
            page_url,
        }
    }

    /// The certificate's own texts.
    pub fn c(&self) -> &'static CertificateTexts {
        self.lang.certificate()
    }

    pub fn verify_command(&self) -> &'static str {
        VERIFY_COMMAND
    }
}

/// `2026-12-03 12:00:00 UTC`.
pub fn utc(t: Timestamp) -> String {
    t.as_datetime().format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// `2026-12-03 20:00:00 Asia/Shanghai (UTC+08:00)`.
pub fn local(t: Timestamp, zone: Tz) -> String {
    let at = t.as_datetime().with_timezone(&zone);
    format!("{} {} (UTC{})", at.format("%Y-%m-%d %H:%M:%S"), zone.name(), at.format("%:z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_utc_and_in_the_zone() {
        let t: Timestamp = "2026-12-03T12:00:00.250Z".parse().unwrap();
        assert_eq!(utc(t), "2026-12-03 12:00:00 UTC");
        assert_eq!(local(t, chrono_tz::Asia::Shanghai), "2026-12-03 20:00:00 Asia/Shanghai (UTC+08:00)");
        assert_eq!(local(t, chrono_tz::America::New_York), "2026-12-03 07:00:00 America/New_York (UTC-05:00)");
    }
}
