//! English and Simplified Chinese: the language of a page comes from `?lang=`, then the
//! `lang` cookie, then `Accept-Language`. Every text a page shows is a field of [`Messages`],
//! so a text missing in one language does not compile.

mod certificate;
mod en;
mod verdicts;
mod zh;

use crate::domain::Role;
use crate::domain::statements::Statement;
pub use certificate::{CertificateTexts, kind_name};
use en::EN;
use zh::ZH;

/// A language the pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// `en` or `zh` (as in `?lang=` and the cookie).
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Zh => "zh",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "en" => Some(Self::En),
            "zh" => Some(Self::Zh),
            _ => None,
        }
    }

    /// The best of ours for an `Accept-Language` header (RFC 9110 §12.5.4): the highest
    /// weight wins, the first listed on a tie; English when nothing matches.
    pub fn negotiate(header: &str) -> Self {
        let mut best: Option<(f32, Self)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = match tag.split('-').next().unwrap_or_default() {
                "zh" => Self::Zh,
                "en" => Self::En,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map_or(Self::En, |(_, lang)| lang)
    }

    pub fn messages(self) -> &'static Messages {
        match self {
            Self::En => &EN,
            Self::Zh => &ZH,
        }
    }

    /// A named verification check (docs/formats.md) in plain words.
    pub fn check(self, name: &str) -> String {
        let (base, witness) = name.split_once(':').unwrap_or((name, ""));
        let zh = self == Self::Zh;
        match (base, zh) {
            ("content_hash", false) => "The file you gave is exactly the registered content".into(),
            ("content_hash", true) => "您提供的文件与登记的内容完全一致".into(),
            ("leaf_hash", false) => "The record's details rebuild its leaf in the tree".into(),
            ("leaf_hash", true) => "记录的各项信息可重建其在树中的叶子".into(),
            ("inclusion_proof", false) => "The record is included in the block".into(),
            ("inclusion_proof", true) => "该记录包含在区块之中".into(),
            ("block_hash", false) => "The block header is intact".into(),
            ("block_hash", true) => "区块头完好无损".into(),
            ("cosignature", false) => format!("Witness {witness} signed the block header"),
            ("cosignature", true) => format!("见证人 {witness} 签署了区块头"),
            ("chain", false) => format!("Witness {witness}'s certificate comes from a trusted authority"),
            ("chain", true) => format!("见证人 {witness} 的证书来自受信任的机构"),
            ("validity", false) => format!("Witness {witness}'s certificate was valid when it signed"),
            ("validity", true) => format!("见证人 {witness} 签名时其证书有效"),
            ("role", false) => format!("Witness {witness} is a court or a notary"),
            ("role", true) => format!("见证人 {witness} 是法院或公证机构"),
            ("quorum", false) => "Enough independent witnesses signed".into(),
            ("quorum", true) => "有足够多的独立见证人签名".into(),
            ("online_header", false) => "The service still shows the same block".into(),
            ("online_header", true) => "服务仍然提供相同的区块".into(),
            ("online_head", false) => "The service's newest co-signed block builds on this one".into(),
            ("online_head", true) => "服务最新的已共同签署区块建立在此区块之上".into(),
            (_, _) => name.to_owned(),
        }
    }

    /// A statement of what a receipt proves or does not, in this language.
    pub fn statement(self, s: &Statement) -> String {
        if self == Self::En {
            return s.to_string();
        }
        match s {
            Statement::Included { id, kind, leaf_index, height, log, .. } => format!(
                "证据 {id}（{kind}）是日志 {log} 第 {height} 号区块的第 {leaf_index} 个叶子，该区块头已由足够多的见证人共同签署。"
            ),
            Statement::ExistedBy { bound, signed, witness, role, subject } => format!(
                "这些字节最迟在 {bound} 已经存在且未被改动：见证人 {witness}（{}，{subject}）在 {signed} 起的一秒内签署了该区块。",
                role_name(self, *role)
            ),
            Statement::FileMatches => "您提供的文件正是所登记的内容。".into(),
            Statement::NoFileGiven => "未提供文件：这证明的是内容哈希；持有原件者可以上传原件进行核对。".into(),
            Statement::NotAuthorship => "内容的作者是谁：登记只说明由谁、在何时登记，而非由谁创作。".into(),
            Statement::NotTruth => "内容是否真实、合法或完整。".into(),
            Statement::NotFirstHolder => "此前无人持有相同的字节。".into(),
            Statement::MetadataUndisclosed => "此收据未披露元数据（标题、文件名等），只承诺了其哈希。".into(),
        }
    }
}

/// `court` or `notary` in words.
pub fn role_name(lang: Lang, role: Option<Role>) -> &'static str {
    match (role, lang) {
        (Some(Role::Court), Lang::En) => "court",
        (Some(Role::Notary), Lang::En) => "notary",
        (Some(Role::Court), Lang::Zh) => "法院",
        (Some(Role::Notary), Lang::Zh) => "公证机构",
        (None, _) => "?",
    }
}

/// Every fixed text of the pages.
pub struct Messages {
    pub html_lang: &'static str,
    pub other_lang: &'static str,
    pub other_lang_name: &'static str,
    pub tagline: &'static str,
    pub nav_verify: &'static str,
    pub nav_blocks: &'static str,
    pub nav_login: &'static str,
    pub logout: &'static str,
    pub signed_in_as: &'static str,
    pub home_title: &'static str,
    pub home_lead: &'static str,
    pub home_step_register: &'static str,
    pub home_step_seal: &'static str,
    pub home_step_verify: &'static str,
    pub register_title: &'static str,
    pub register_text: &'static str,
    pub verify_title: &'static str,
    pub verify_text: &'static str,
    pub my_records: &'static str,
    pub no_records: &'static str,
    pub kind: &'static str,
    pub registered: &'static str,
    pub status: &'static str,
    pub status_pending: &'static str,
    pub status_sealed: &'static str,
    pub status_anchored: &'static str,
    pub block: &'static str,
    pub login_title: &'static str,
    pub login_key: &'static str,
    pub login_submit: &'static str,
    pub login_failed: &'static str,
    pub login_hint: &'static str,
    pub evidence_title: &'static str,
    pub public_note: &'static str,
    pub anchored_at: &'static str,
    pub witnesses: &'static str,
    pub witness: &'static str,
    pub role: &'static str,
    pub signed_at: &'static str,
    pub not_anchored_yet: &'static str,
    pub owner_details: &'static str,
    pub content_hash: &'static str,
    pub salt: &'static str,
    /// In place of an erased salt.
    pub erased: &'static str,
    /// In place of the receipt downloads once the content was erased (they would answer 410).
    pub receipt_erased: &'static str,
    pub meta_hash: &'static str,
    pub leaf_hash: &'static str,
    pub metadata: &'static str,
    pub download_receipt: &'static str,
    pub download_zip: &'static str,
    pub print: &'static str,
    pub qr_caption: &'static str,
    pub verify_receipt: &'static str,
    pub verify_file: &'static str,
    pub verify_submit: &'static str,
    pub verify_help: &'static str,
    pub verify_result: &'static str,
    pub valid: &'static str,
    pub invalid: &'static str,
    pub check_passed: &'static str,
    pub check_failed: &'static str,
    pub check_not_applicable: &'static str,
    pub proves: &'static str,
    pub does_not_prove: &'static str,
    pub verify_again: &'static str,
    pub blocks_title: &'static str,
    pub no_blocks: &'static str,
    pub height: &'static str,
    pub leaves: &'static str,
    pub sealed: &'static str,
    pub anchored: &'static str,
    pub header: &'static str,
    pub block_hash: &'static str,
    pub older: &'static str,
    pub error_title: &'static str,
    pub error_not_found: &'static str,
    pub error_csrf: &'static str,
    pub error_form: &'static str,
    pub error_internal: &'static str,
    pub back_home: &'static str,
    pub nav_invoices: &'static str,
    pub nav_check_invoice: &'static str,
    pub only_hospitals: &'static str,
    pub only_insurers: &'static str,
    pub invoices_title: &'static str,
    pub invoices_lead: &'static str,
    pub no_invoices: &'static str,
    pub invoice: &'static str,
    pub invoice_code: &'static str,
    pub invoice_number: &'static str,
    pub issuer: &'static str,
    pub issued_at: &'static str,
    pub invoice_status: &'static str,
    pub invoice_issued: &'static str,
    pub invoice_voided: &'static str,
    pub record: &'static str,
    pub total: &'static str,
    pub reimbursable: &'static str,
    pub claimed: &'static str,
    pub remaining: &'static str,
    pub hospital_signature: &'static str,
    pub not_signed: &'static str,
    pub content_erased: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub void_reason: &'static str,
    pub claims: &'static str,
    pub no_claims: &'static str,
    pub insurer: &'static str,
    pub amount: &'static str,
    pub claimed_at: &'static str,
    pub withdrawn: &'static str,
    pub claim_active: &'static str,
    pub access_log: &'static str,
    pub no_checks: &'static str,
    pub checked_at: &'static str,
    pub verdict: &'static str,
    pub open_record: &'static str,
    pub void_title: &'static str,
    pub void_help: &'static str,
    pub void_submit: &'static str,
    pub check_title: &'static str,
    pub check_lead: &'static str,
    pub check_paste: &'static str,
    pub check_file: &'static str,
    pub check_submit: &'static str,
    pub check_missing: &'static str,
    pub check_unreadable: &'static str,
    pub verdict_authentic: &'static str,
    pub verdict_altered: &'static str,
    pub verdict_unknown: &'static str,
    pub verdict_voided: &'static str,
    pub explain_authentic: &'static str,
    pub explain_altered: &'static str,
    pub explain_unknown: &'static str,
    pub explain_voided: &'static str,
    pub voided_at: &'static str,
    pub earlier_claims: &'static str,
    pub no_earlier_claims: &'static str,
    pub yours: &'static str,
    pub claim_title: &'static str,
    pub claim_amount: &'static str,
    pub claim_reference: &'static str,
    pub claim_help: &'static str,
    pub claim_submit: &'static str,
    pub nothing_remains: &'static str,
    pub claim_done: &'static str,
    pub claim_repeated: &'static str,
    pub claim_record: &'static str,
    pub claim_refused: &'static str,
    pub refused_exceeds: &'static str,
    pub refused_reference: &'static str,
    pub refused_claimed: &'static str,
    pub refused_not_found: &'static str,
    pub refused_amount: &'static str,
    pub refused_bad_reference: &'static str,
    pub refused_reason: &'static str,
    pub check_another: &'static str,
    pub older_invoices: &'static str,
    // Pictures: /register, /search and an image's certificate. `{size}`, `{mp}`, `{distance}`,
    // `{threshold}`, `{anchored}`, `{total}` and `{failed}` are replaced where shown.
    pub nav_register: &'static str,
    pub nav_search: &'static str,
    pub only_merchants: &'static str,
    pub register_lead: &'static str,
    pub register_drop: &'static str,
    pub register_formats: &'static str,
    pub register_batch: &'static str,
    pub register_title_field: &'static str,
    pub register_author_field: &'static str,
    pub register_public_field: &'static str,
    pub register_noscript: &'static str,
    pub register_summary: &'static str,
    pub upload_queued: &'static str,
    pub upload_sending: &'static str,
    pub upload_registered: &'static str,
    pub upload_anchored: &'static str,
    pub upload_failed: &'static str,
    pub upload_slow: &'static str,
    pub upload_network: &'static str,
    pub open_certificate: &'static str,
    pub problem_not_picture: &'static str,
    pub problem_file_too_large: &'static str,
    pub problem_too_many_pixels: &'static str,
    pub problem_corrupt: &'static str,
    pub problem_empty: &'static str,
    pub problem_missing_file: &'static str,
    pub problem_text: &'static str,
    pub problem_file_name: &'static str,
    pub problem_login: &'static str,
    pub search_title: &'static str,
    pub search_lead: &'static str,
    pub search_file: &'static str,
    pub search_submit: &'static str,
    pub search_help: &'static str,
    pub search_results: &'static str,
    pub search_none: &'static str,
    pub search_flat: &'static str,
    pub search_again: &'static str,
    pub earliest: &'static str,
    pub likeness: &'static str,
    pub identical_file: &'static str,
    pub similar_picture: &'static str,
    pub co_signers: &'static str,
    pub none_yet: &'static str,
    pub picture_title: &'static str,
    pub picture_author: &'static str,
    pub picture_owner: &'static str,
    pub picture_private: &'static str,
    pub picture_private_owner: &'static str,
    pub thumbnail_alt: &'static str,
}

impl Messages {
    /// A record's status in words.
    pub fn status(&self, status: crate::domain::EvidenceStatus) -> &'static str {
        use crate::domain::EvidenceStatus::{Anchored, Pending, Sealed};
        match status {
            Anchored => self.status_anchored,
            Sealed => self.status_sealed,
            Pending => self.status_pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_highest_weight_we_speak() {
        assert_eq!(Lang::negotiate("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(Lang::negotiate("en-GB,en;q=0.9,zh;q=0.8"), Lang::En);
        assert_eq!(Lang::negotiate("fr-FR, zh-Hans;q=0.5, en;q=0.4"), Lang::Zh);
        assert_eq!(Lang::negotiate("de, fr;q=0.5"), Lang::En);
        assert_eq!(Lang::negotiate("zh;q=0, en;q=0.1"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
        assert_eq!(Lang::negotiate(";;;,,q=x"), Lang::En);
    }

    #[test]
    fn every_check_name_has_words_in_both_languages() {
        for name in ["content_hash", "leaf_hash", "inclusion_proof", "block_hash", "quorum", "online_header"] {
            assert_ne!(Lang::En.check(name), name);
            assert_ne!(Lang::Zh.check(name), Lang::En.check(name));
        }
        for base in ["cosignature", "chain", "validity", "role"] {
            let name = format!("{base}:court");
            assert!(Lang::En.check(&name).contains("court") && Lang::Zh.check(&name).contains("court"));
        }
    }
}
