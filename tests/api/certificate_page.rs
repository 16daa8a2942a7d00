//! The evidence certificate (issue 25, item 4) on the page: the operator's identity, the
//! witnesses' certificates with fingerprints and signing times, the block hash and root, the
//! anchoring time in UTC and in the configured zone, what it states and does not, how to verify
//! (visible in print), and a Chinese page with no English words but hashes and names.

use notarium::crypto::cms::inspect;
use notarium::domain::{BlockHeader, Receipt, TenantRole};

use crate::browser_session::Browser;
use crate::pages::log_in;
use crate::support::TestApp;

pub const LEGAL_NAME: &str = "上海示例存证服务有限公司";
pub const ADDRESS: &str = "上海市浦东新区世纪大道100号";
pub const REGISTRATION: &str = "91310115MA1K4ABCDE";

/// A service run by a named operator, in UTC+8.
pub async fn operated_app() -> TestApp {
    TestApp::spawn_with(|s| {
        s.operator_legal_name = Some(LEGAL_NAME.into());
        s.operator_address = Some(ADDRESS.into());
        s.operator_registration = Some(REGISTRATION.into());
    })
    .await
}

/// A registered, anchored document of the merchant's: its id, leaf hash and receipt.
pub async fn anchored_document(app: &TestApp) -> (String, String, Receipt) {
    let evidence = app.register(b"the certificate's document").await;
    let id = evidence.id.to_string();
    let receipt = app.anchored_receipt(&id, app.key(TenantRole::Merchant)).await;
    (id, evidence.leaf_hash.to_string(), receipt)
}

/// The text of the page's certificate (`<article>`), tags removed.
fn article_text(body: &str) -> String {
    let start = body.find("<article").expect("an article");
    let end = body.find("</article>").expect("its end");
    let mut text = String::new();
    let mut in_tag = false;
    for ch in body[start..end].chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&#x2f;", "/").replace("&#x27;", "'").replace("&quot;", "\"").replace("&amp;", "&")
}

#[tokio::test]
async fn the_certificate_shows_operator_witnesses_hashes_times_and_how_to_verify() {
    let app = operated_app().await;
    let (id, leaf_hash, receipt) = anchored_document(&app).await;
    let header = BlockHeader::parse(&receipt.block.header).unwrap();
    let page = Browser::new(&app.base).get(&format!("/e/{id}?lang=en")).await;
    assert_eq!(page.status, 200);
    let text = article_text(&page.body);
    for shown in [LEGAL_NAME, ADDRESS, REGISTRATION] {
        assert!(text.contains(shown), "the operator's {shown}");
    }
    assert!(!text.contains("development"), "a configured operator is not called a development one");
    assert!(text.contains(&receipt.block.block_hash.to_string()), "the block hash");
    assert!(text.contains(&header.root.to_string()), "the root");
    assert!(text.contains(&leaf_hash), "the leaf hash");
    assert!(!text.contains(&receipt.evidence.content_hash.to_string()), "the content hash is the owner's");
    for c in &receipt.cosignatures {
        let facts = inspect(&c.cms).unwrap();
        let fingerprint = hex::encode(openssl::sha::sha256(&facts.signer_cert));
        assert!(text.contains(&fingerprint), "{}'s certificate fingerprint", c.witness.as_str());
        assert!(text.contains(&facts.signing_time.unwrap().to_string()), "its signing time");
    }
    assert!(text.contains("Organisation: Notarium Dev") && text.contains("CN=Notarium Dev Court Witness"));
    // The anchoring time, in UTC and in Asia/Shanghai (8 hours ahead, no daylight saving).
    let anchored = page.body.split("class=\"anchored-utc\">").nth(1).unwrap().split(" UTC").next().unwrap();
    let utc = chrono::NaiveDateTime::parse_from_str(anchored, "%Y-%m-%d %H:%M:%S").unwrap();
    let local = (utc + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M:%S Asia/Shanghai (UTC+08:00)");
    assert!(text.contains(&local.to_string()), "the local time {local}");
    assert!(text.contains(&format!("existed, exactly as registered, no later than {anchored} UTC")));
    assert!(text.contains("It does not prove who created the file"));
    assert!(text.contains("notarium verify receipt.zip --trust ca.pem --file FILE"));
    assert!(text.contains("VERIFY.txt") && text.contains(&format!("{}/e/{id}", app.base)));
    // How to verify is printed: it is not inside anything hidden in print.
    let how = page.body.split("<section class=\"how-to-verify\">").nth(1).unwrap();
    let before_actions = how.split("<p class=\"actions no-print\">").next().unwrap();
    assert!(before_actions.contains("notarium verify") && !before_actions.contains("no-print"));

    // The owner sees the content hash too.
    let mut owner = Browser::new(&app.base);
    log_in(&mut owner, app.key(TenantRole::Merchant)).await;
    let mine = article_text(&owner.get(&format!("/e/{id}")).await.body);
    assert!(mine.contains(&receipt.evidence.content_hash.to_string()));
}

#[tokio::test]
async fn the_chinese_certificate_has_no_english_words_but_hashes_and_names() {
    let app = operated_app().await;
    let (id, _, receipt) = anchored_document(&app).await;
    let mut owner = Browser::new(&app.base);
    log_in(&mut owner, app.key(TenantRole::Merchant)).await;
    let page = owner.get(&format!("/e/{id}?lang=zh")).await;
    let mut text = article_text(&page.body);
    assert!(text.contains("存证证书") && text.contains("运营方") && text.contains("最迟于"));
    assert!(text.contains("本证书不能证明的内容") && text.contains("如何核验") && text.contains("文件"));
    // Names, hashes, programs and file names may stay as they are.
    let mut allowed: Vec<String> = ["Asia/Shanghai", "UTC", "BLAKE3", "SHA-256", "CA", "PDF", "Notarium", "notarium"]
        .into_iter()
        .map(String::from)
        .collect();
    allowed.extend(
        ["openssl", "b3sum", "receipt.zip", "VERIFY.txt", "ca.pem", "verify", "--trust", "--file"].map(String::from),
    );
    // The record's own metadata (`{"title": "t"}`) is the owner's text.
    allowed.extend(["FILE", "receipt.json", "JSON", "zip", "title"].map(String::from));
    for c in &receipt.cosignatures {
        let facts = inspect(&c.cms).unwrap();
        let cert = openssl::x509::X509::from_der(&facts.signer_cert).unwrap();
        allowed.push(notarium::crypto::certs::subject_line(&cert));
        allowed.push("Notarium Dev".into());
        allowed.push(c.witness.as_str().to_owned());
    }
    allowed.push(app.base.clone());
    allowed.sort_by_key(|a| std::cmp::Reverse(a.len()));
    for a in &allowed {
        text = text.replace(a.as_str(), " ");
    }
    let english: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() > 1 && !w.chars().all(|c| c.is_ascii_hexdigit()))
        .filter(|w| !REGISTRATION.contains(w) && !id.contains(w))
        .collect();
    assert!(english.is_empty(), "English left on the Chinese certificate: {english:?}");
}
