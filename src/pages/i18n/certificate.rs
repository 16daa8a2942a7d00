//! The evidence certificate's texts (the page and its PDF), in English and Simplified Chinese.
//! `{time}` in a text is replaced by the anchoring time.

use super::Lang;
use crate::domain::EvidenceKind;

/// Every fixed text of a certificate beyond the pages' common ones.
pub struct CertificateTexts {
    pub operator: &'static str,
    pub operator_name: &'static str,
    pub operator_address: &'static str,
    pub operator_registration: &'static str,
    pub development_operator: &'static str,
    pub evidence_id: &'static str,
    pub anchoring: &'static str,
    pub block_height: &'static str,
    pub block_hash: &'static str,
    pub root: &'static str,
    pub leaf_hash: &'static str,
    pub content_hash: &'static str,
    pub content_hash_owner_only: &'static str,
    pub anchored_utc: &'static str,
    pub anchored_local: &'static str,
    pub organisation: &'static str,
    pub subject: &'static str,
    pub fingerprint: &'static str,
    pub statement_title: &'static str,
    /// `{time}`: the anchoring time in UTC and in the local zone.
    pub existed: &'static str,
    pub not_anchored: &'static str,
    pub not_proved_title: &'static str,
    pub not_proved: &'static str,
    pub verify_title: &'static str,
    pub verify_qr: &'static str,
    pub verify_zip: &'static str,
    pub verify_command: &'static str,
    pub download_pdf: &'static str,
    pub pdf_signed_by: &'static str,
    pub unknown: &'static str,
    pub pdf_busy: &'static str,
    pub pdf_unavailable: &'static str,
}

static EN: CertificateTexts = CertificateTexts {
    operator: "Operator",
    operator_name: "Legal name",
    operator_address: "Address",
    operator_registration: "Registration or licence number",
    development_operator: "This service runs with development settings: no real operator stands behind this certificate.",
    evidence_id: "Evidence ID",
    anchoring: "Block and anchoring",
    block_height: "Block height",
    block_hash: "Block hash",
    root: "Merkle root",
    leaf_hash: "Leaf hash",
    content_hash: "Content hash (BLAKE3)",
    content_hash_owner_only: "shown to the owner only (in the owner's certificate and receipt)",
    anchored_utc: "Anchored (UTC)",
    anchored_local: "Anchored (local time)",
    organisation: "Organisation",
    subject: "Certificate subject",
    fingerprint: "Certificate SHA-256 fingerprint",
    statement_title: "What this certificate states",
    existed: "The file whose content hash is recorded under this evidence ID existed, exactly as registered, no later than {time}: at that time independent witnesses had co-signed the block that includes it.",
    not_anchored: "The record is not anchored yet: until the witnesses co-sign its block, this certificate states no time.",
    not_proved_title: "What it does not prove",
    not_proved: "It does not prove who created the file or owns it, that its content is true, lawful or complete, or that nobody held the same bytes earlier. The registration time is when the service received the file; only the witnesses' co-signature fixes the time stated above.",
    verify_title: "How to verify",
    verify_qr: "Scan the QR code, or open the address below it, to see this certificate on the operator's site.",
    verify_zip: "Ask the owner for the receipt bundle (receipt.zip) and the original file: VERIFY.txt inside the bundle checks it step by step with openssl and b3sum alone.",
    verify_command: "With the Notarium program and the witnesses' CA certificate (ca.pem):",
    download_pdf: "Download the signed certificate (PDF)",
    pdf_signed_by: "The PDF is signed with the operator's document-signing certificate.",
    unknown: "unknown",
    pdf_busy: "Other certificates are being written: please try again in a moment.",
    pdf_unavailable: "The certificate PDF cannot be written on this server now (its font or signing key is missing). The page itself is the certificate: print it.",
};

static ZH: CertificateTexts = CertificateTexts {
    operator: "运营方",
    operator_name: "法定名称",
    operator_address: "地址",
    operator_registration: "登记号或许可证号",
    development_operator: "本服务以开发环境设置运行：本证书背后没有真实的运营方。",
    evidence_id: "存证编号",
    anchoring: "区块与锚定",
    block_height: "区块高度",
    block_hash: "区块哈希",
    root: "默克尔根",
    leaf_hash: "叶子哈希",
    content_hash: "内容哈希（BLAKE3）",
    content_hash_owner_only: "仅向所有者显示（见所有者的证书和收据）",
    anchored_utc: "锚定时间（协调世界时）",
    anchored_local: "锚定时间（当地时间）",
    organisation: "机构",
    subject: "证书主题",
    fingerprint: "证书 SHA-256 指纹",
    statement_title: "本证书证明的内容",
    existed: "以本存证编号登记其内容哈希的文件，最迟于 {time} 已经存在，且与登记时完全一致：届时独立见证人已共同签署包含该记录的区块。",
    not_anchored: "该记录尚未锚定：在见证人共同签署其所在区块之前，本证书不证明任何时间。",
    not_proved_title: "本证书不能证明的内容",
    not_proved: "本证书不能证明文件由谁创作或归谁所有，不能证明其内容真实、合法或完整，也不能证明此前无人持有相同的字节。登记时间是本服务收到文件的时间；只有见证人的共同签署确定上述时间。",
    verify_title: "如何核验",
    verify_qr: "扫描二维码，或打开其下方的网址，即可在运营方网站上查看本证书。",
    verify_zip: "请向所有者索取收据包（receipt.zip）和原始文件：收据包中的 VERIFY.txt 仅用 openssl 和 b3sum 即可逐步核验。",
    verify_command: "使用 Notarium 程序和见证人的 CA 证书（ca.pem）：",
    download_pdf: "下载已签名的证书（PDF）",
    pdf_signed_by: "PDF 由运营方的文档签名证书签署。",
    unknown: "未知",
    pdf_busy: "正在生成其他证书，请稍后再试。",
    pdf_unavailable: "本服务器暂时无法生成证书 PDF（缺少字体或签名密钥）。本页即为证书，可直接打印。",
};

impl Lang {
    /// The certificate's texts.
    pub fn certificate(self) -> &'static CertificateTexts {
        match self {
            Self::En => &EN,
            Self::Zh => &ZH,
        }
    }
}

/// A record's kind in words.
pub fn kind_name(lang: Lang, kind: EvidenceKind) -> &'static str {
    use EvidenceKind::*;
    match (lang, kind) {
        (Lang::En, Document) => "document",
        (Lang::En, Contract) => "contract",
        (Lang::En, Image) => "image",
        (Lang::En, Invoice) => "invoice",
        (Lang::En, InvoiceVoid) => "invoice void",
        (Lang::En, Claim) => "claim",
        (Lang::En, ClaimWithdrawal) => "claim withdrawal",
        (Lang::Zh, Document) => "文件",
        (Lang::Zh, Contract) => "合同",
        (Lang::Zh, Image) => "图片",
        (Lang::Zh, Invoice) => "发票",
        (Lang::Zh, InvoiceVoid) => "发票作废",
        (Lang::Zh, Claim) => "理赔申请",
        (Lang::Zh, ClaimWithdrawal) => "理赔撤回",
    }
}
