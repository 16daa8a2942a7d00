//! English and Simplified Chinese: the language of a page comes from `?lang=`, then the
//! `lang` cookie, then `Accept-Language`. Every text a page shows is a field of [`Messages`],
//! so a text missing in one language does not compile.

use crate::domain::Role;
use crate::domain::statements::Statement;

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
}

pub static EN: Messages = Messages {
    html_lang: "en",
    other_lang: "zh",
    other_lang_name: "中文",
    tagline: "Trusted evidence notarization",
    nav_verify: "Verify a receipt",
    nav_blocks: "Blocks",
    nav_login: "Log in",
    logout: "Log out",
    signed_in_as: "Signed in as",
    home_title: "Prove you had it first",
    home_lead: "Notarium records a fingerprint (a BLAKE3 hash) of your file, seals it into a block of the public log, and has independent court and notary witnesses co-sign that block. The receipt you get can be checked by anyone, offline, with standard tools, without trusting us.",
    home_step_register: "Register: your file's hash is recorded the moment you send it; the file itself can stay with you.",
    home_step_seal: "Seal: every few moments the new records become one block, co-signed by a court and a notary witness.",
    home_step_verify: "Verify: the receipt shows that these exact bytes existed no later than the witnesses' signing time.",
    register_title: "Register",
    register_text: "Log in with your organisation's API key to see your records and download their receipts. Integrations register through the API: POST /v1/evidence with the file, or with its hash only.",
    verify_title: "Verify",
    verify_text: "Have a receipt? Upload it, with the original file if you have it, and see every check in plain words.",
    my_records: "Your latest records",
    no_records: "No records yet.",
    kind: "Kind",
    registered: "Registered",
    status: "Status",
    status_pending: "pending: waiting for the next block",
    status_sealed: "sealed: waiting for the witnesses",
    status_anchored: "anchored: co-signed by the witnesses",
    block: "Block",
    login_title: "Log in",
    login_key: "API key",
    login_submit: "Log in",
    login_failed: "This API key is unknown, revoked, or its organisation is disabled.",
    login_hint: "Your key starts with ntk_. It is kept in a secure session cookie on this device until you log out.",
    evidence_title: "Evidence certificate",
    public_note: "This page shows what is public about a record. The content, its hash and its details stay with the owner and with whom the owner shows the receipt.",
    anchored_at: "Anchored",
    witnesses: "Witnesses",
    witness: "Witness",
    role: "Role",
    signed_at: "Signed at",
    not_anchored_yet: "Not anchored yet: the witnesses have not co-signed its block.",
    owner_details: "Owner's details",
    content_hash: "Content hash (BLAKE3)",
    salt: "Salt",
    erased: "erased with the invoice's content; receipts issued before stay valid",
    meta_hash: "Metadata hash",
    leaf_hash: "Leaf hash",
    metadata: "Metadata",
    download_receipt: "Download the receipt (JSON)",
    download_zip: "Download the receipt bundle (zip)",
    print: "Print this certificate",
    qr_caption: "Scan to open this page",
    verify_receipt: "Receipt (receipt.json or receipt.zip)",
    verify_file: "Original file (optional)",
    verify_submit: "Verify",
    verify_help: "Nothing you upload here is stored. Without the original file, the check proves the registered hash; with it, that your file is exactly what was registered.",
    verify_result: "Result",
    valid: "Valid",
    invalid: "Invalid",
    check_passed: "passed",
    check_failed: "failed",
    check_not_applicable: "not applicable",
    proves: "What this proves",
    does_not_prove: "What this does not prove",
    verify_again: "Verify another receipt",
    blocks_title: "Latest blocks",
    no_blocks: "No block has been sealed yet.",
    height: "Height",
    leaves: "Records",
    sealed: "Sealed",
    anchored: "Anchored",
    header: "Header (the exact text the witnesses signed)",
    block_hash: "Block hash",
    older: "Older blocks",
    error_title: "Something is not right",
    error_not_found: "There is no such page or record.",
    error_csrf: "This form has expired or did not come from this site. Reload the page and try again.",
    error_form: "The form could not be read",
    error_internal: "An internal error occurred. Reference:",
    back_home: "Back to the home page",
};

pub static ZH: Messages = Messages {
    html_lang: "zh-Hans",
    other_lang: "en",
    other_lang_name: "English",
    tagline: "可信电子存证",
    nav_verify: "验证收据",
    nav_blocks: "区块",
    nav_login: "登录",
    logout: "退出",
    signed_in_as: "当前登录",
    home_title: "证明您最先拥有",
    home_lead: "Notarium 记录您文件的指纹（BLAKE3 哈希），将其封存进公开日志的区块，并由独立的法院和公证见证人共同签署该区块。您获得的收据任何人都可以离线、用标准工具核验，无需信任我们。",
    home_step_register: "登记：发送文件的那一刻即记录其哈希；文件本身可以留在您手中。",
    home_step_seal: "封存：每隔片刻，新记录组成一个区块，由法院和公证见证人共同签署。",
    home_step_verify: "核验：收据证明这些字节最迟在见证人签名时已经存在且未被改动。",
    register_title: "登记",
    register_text: "使用贵机构的 API 密钥登录，即可查看您的记录并下载收据。系统集成通过 API 登记：POST /v1/evidence，可上传文件，也可只提交其哈希。",
    verify_title: "核验",
    verify_text: "有收据吗？上传收据（如有原件请一并上传），即可用通俗的语言看到每一项检查。",
    my_records: "您最近的记录",
    no_records: "尚无记录。",
    kind: "类型",
    registered: "登记时间",
    status: "状态",
    status_pending: "待封存：等待下一个区块",
    status_sealed: "已封存：等待见证人签署",
    status_anchored: "已锚定：见证人已共同签署",
    block: "区块",
    login_title: "登录",
    login_key: "API 密钥",
    login_submit: "登录",
    login_failed: "该 API 密钥无效、已被撤销，或其所属机构已被停用。",
    login_hint: "您的密钥以 ntk_ 开头。登录后它保存在本设备的安全会话 Cookie 中，直到您退出。",
    evidence_title: "存证证书",
    public_note: "本页仅显示记录的公开信息。内容、内容哈希及其详情只属于所有者，以及所有者向其出示收据的人。",
    anchored_at: "锚定时间",
    witnesses: "见证人",
    witness: "见证人",
    role: "角色",
    signed_at: "签名时间",
    not_anchored_yet: "尚未锚定：见证人尚未共同签署其所在区块。",
    owner_details: "所有者可见的详情",
    content_hash: "内容哈希（BLAKE3）",
    salt: "盐值",
    erased: "已随发票内容删除；此前签发的回执仍然有效",
    meta_hash: "元数据哈希",
    leaf_hash: "叶子哈希",
    metadata: "元数据",
    download_receipt: "下载收据（JSON）",
    download_zip: "下载收据包（zip）",
    print: "打印此证书",
    qr_caption: "扫码打开本页",
    verify_receipt: "收据（receipt.json 或 receipt.zip）",
    verify_file: "原始文件（可选）",
    verify_submit: "核验",
    verify_help: "您在此上传的任何内容都不会被保存。没有原件时，核验证明的是登记的哈希；有原件时，证明您的文件正是所登记的内容。",
    verify_result: "结果",
    valid: "有效",
    invalid: "无效",
    check_passed: "通过",
    check_failed: "未通过",
    check_not_applicable: "不适用",
    proves: "这证明了什么",
    does_not_prove: "这不能证明什么",
    verify_again: "核验另一份收据",
    blocks_title: "最新区块",
    no_blocks: "尚未封存任何区块。",
    height: "高度",
    leaves: "记录数",
    sealed: "封存时间",
    anchored: "锚定时间",
    header: "区块头（见证人所签署的原文）",
    block_hash: "区块哈希",
    older: "更早的区块",
    error_title: "出了点问题",
    error_not_found: "没有这个页面或记录。",
    error_csrf: "此表单已过期或并非来自本站。请刷新页面后重试。",
    error_form: "无法读取该表单",
    error_internal: "发生内部错误。参考编号：",
    back_home: "返回首页",
};

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
