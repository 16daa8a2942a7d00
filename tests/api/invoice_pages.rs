//! The invoice pages: a hospital sees its invoices with their claims and access log and voids
//! one; an insurer checks a pasted or uploaded invoice and claims it in one click; everyone
//! else sees no invoice data; every form needs its CSRF token; payer fields never appear.

use notarium::domain::TenantRole;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::browser_session::{Browser, Page};
use crate::invoices::{claim, content_hash, invoice, issue, path};
use crate::pages::log_in;
use crate::support::TestApp;

const PAYER: [&str; 4] = ["3301**********1234", "PAYERTOKEN-q7Rk2mX9vB4nL8s", "masked_id", "payer"];

fn assert_no_payer(page: &Page) {
    for secret in PAYER {
        assert!(!page.body.contains(secret), "the page shows {secret}");
    }
}

/// The `value` of the form input named `name`.
fn input_value(page: &Page, name: &str) -> String {
    let at = page.body.find(&format!(r#"name="{name}""#)).unwrap_or_else(|| panic!("no input {name}"));
    let tag = &page.body[at..at + page.body[at..].find('>').unwrap()];
    let value = tag.find(r#"value=""#).unwrap_or_else(|| panic!("input {name} has no value")) + 7;
    tag[value..].split('"').next().unwrap().to_owned()
}

/// A browser logged in as the demo tenant of `role`.
async fn logged_in(app: &TestApp, role: TenantRole) -> Browser {
    let mut browser = Browser::new(&app.base);
    assert_eq!(log_in(&mut browser, app.key(role)).await.status, 303);
    browser
}

/// Posts the check form with the invoice pasted (or, with `as_file`, uploaded).
async fn check_page(browser: &mut Browser, invoice: &str, as_file: bool) -> Page {
    let csrf = browser.get("/invoices/check").await.csrf();
    let form = Form::new().text("csrf", csrf);
    let form = if as_file {
        form.text("invoice", "").part("file", Part::bytes(invoice.as_bytes().to_vec()).file_name("invoice.json"))
    } else {
        form.text("invoice", invoice.to_owned()).part("file", Part::bytes(Vec::new()).file_name(""))
    };
    browser.post_multipart("/invoices/check", form).await
}

/// Posts the claim form of `page` as a browser would, with `amount` typed over the prefilled one.
async fn click_claim(browser: &mut Browser, page: &Page, amount: Option<&str>) -> Page {
    let names = ["csrf", "issuer", "invoice_code", "invoice_number", "content_hash", "amount", "claim_reference"];
    let mut fields: Vec<(&str, String)> = names.iter().map(|n| (*n, input_value(page, n))).collect();
    if let Some(a) = amount {
        fields[5].1 = a.to_owned();
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    browser.post_form("/invoices/claim", &fields).await
}

/// The app with the demo hospital's invoice `number` issued: the app, the invoice, its hash.
async fn app_with_invoice(number: &str) -> (TestApp, Value, String) {
    let app = TestApp::spawn().await;
    let inv = invoice("DEMO-HOSP", number);
    issue(&app, &inv).await;
    let hash = content_hash(&inv);
    (app, inv, hash)
}

async fn api_remaining(app: &TestApp, number: &str, hash: &str) -> String {
    let body = json!({ "issuer": "DEMO-HOSP", "invoice_code": "330100-2026", "invoice_number": number,
        "content_hash": hash });
    let res = app.post_json("/v1/invoices/check", Some(app.key(TenantRole::Insurer)), &body).await;
    res.json::<Value>().await.unwrap()["remaining"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_hospital_sees_its_invoices_with_claims_and_access_log_and_voids_one() {
    let (app, inv, hash) = app_with_invoice("PG-1").await;
    let issued: Value = app.get(&path("PG-1"), Some(app.key(TenantRole::Hospital))).await.json().await.unwrap();
    let insurer = app.key(TenantRole::Insurer);
    let res = app.post_json("/v1/invoices/check", Some(insurer), &inv).await;
    assert_eq!(res.status(), 200);
    assert_eq!(claim(&app, insurer, "PG-1", &hash, "60.00", "A-1").await.0, 201);
    let spare = issue(&app, &invoice("DEMO-HOSP", "PG-2")).await;

    let mut hospital = logged_in(&app, TenantRole::Hospital).await;
    let page = hospital.get("/invoices").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<a href="/invoices">Invoices</a>"#), "the navigation leads here");
    let card = &page.body[page.body.find(r#"id="invoice-330100-2026-PG-1""#).expect("the invoice's card")..];
    let card = &card[..card.find("</section>").unwrap()];
    for shown in [
        "330100-2026",
        "PG-1",
        issued["evidence"]["received"].as_str().unwrap(),
        "issued",
        "200.00 CNY",
        "100.00 CNY",
        "60.00 CNY",
        "40.00 CNY",
        "<tr><td>Demo insurer</td>",
        ">no, active</td>",
        "Access log: insurers&#39; checks (1)",
        ">Authentic</td>",
        "no: the hospital sent no signature",
    ] {
        assert!(card.contains(shown), "the card lacks {shown}: {card}");
    }
    assert!(card.contains(&format!(r#"href="/e/{}""#, issued["evidence"]["id"].as_str().unwrap())), "the record");
    assert!(!card.contains("/invoices/void"), "no void form while a claim is active");
    assert_no_payer(&page);

    // Voiding from the page: refused without the token, done with it.
    let spare_card = &page.body[page.body.find(r#"id="invoice-330100-2026-PG-2""#).unwrap()..];
    assert!(spare_card.contains(r#"action="/invoices/void""#));
    let csrf = page.csrf();
    let mut fields = vec![("issuer", "DEMO-HOSP"), ("invoice_code", "330100-2026"), ("invoice_number", "PG-2")];
    fields.push(("reason", "issued twice in error"));
    assert_eq!(hospital.post_form("/invoices/void", &fields).await.status, 403);
    fields.push(("csrf", &csrf));
    let voided = hospital.post_form("/invoices/void", &fields).await;
    assert_eq!((voided.status, voided.headers["location"].to_str().unwrap()), (303, "/invoices"));
    let page = hospital.get("/invoices").await;
    assert!(
        page.body.contains("issued twice in error") && page.body.contains(r#"<span class="badge bad">voided</span>"#)
    );
    let detail: Value = app.get(&path("PG-2"), Some(app.key(TenantRole::Hospital))).await.json().await.unwrap();
    assert_eq!(
        (detail["status"].as_str(), detail["void"]["reason"].as_str()),
        (Some("voided"), Some("issued twice in error"))
    );
    assert_eq!(detail["evidence"]["id"], spare.evidence.id.to_string());

    // The same void operation as the API: refused while a claim is active, in words.
    let fields = [
        ("csrf", csrf.as_str()),
        ("issuer", "DEMO-HOSP"),
        ("invoice_code", "330100-2026"),
        ("invoice_number", "PG-1"),
        ("reason", "wrong"),
    ];
    let refused = hospital.post_form("/invoices/void", &fields).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("must be withdrawn before it can be voided. Active claims: 1"), "{}", refused.body);
    let zh = hospital.get("/invoices?lang=zh").await;
    assert!(zh.body.contains("本院发票") && zh.body.contains(">真实有效</td>"));
    assert_no_payer(&zh);
}

#[tokio::test]
async fn the_invoice_list_pages_by_twenty() {
    let app = TestApp::spawn().await;
    for n in 0..21 {
        issue(&app, &invoice("DEMO-HOSP", &format!("P-{n:02}"))).await;
    }
    let mut hospital = logged_in(&app, TenantRole::Hospital).await;
    let first = hospital.get("/invoices").await;
    assert_eq!(first.body.matches(r#"class="card invoice""#).count(), 20);
    assert!(first.body.contains("P-20") && !first.body.contains("P-00"), "newest first");
    let at = first.body.find("/invoices?before=").expect("a link to older invoices");
    let next = first.body[at..].split('"').next().unwrap().to_owned();
    let older = hospital.get(&next).await;
    assert_eq!(older.body.matches(r#"class="card invoice""#).count(), 1);
    assert!(older.body.contains("P-00") && !older.body.contains("/invoices?before="));
}

#[tokio::test]
async fn an_insurer_checks_an_invoice_and_claims_it_in_one_click() {
    let (app, inv, hash) = app_with_invoice("CK-1").await;
    let mut insurer = logged_in(&app, TenantRole::Insurer).await;
    let form = insurer.get("/invoices/check").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(r#"<a href="/invoices/check">Check an invoice</a>"#));
    assert!(form.body.contains(r#"<textarea id="invoice" name="invoice""#) && form.body.contains(r#"type="file""#));

    let mut altered = inv.clone();
    altered["reimbursable"] = json!("150.00");
    let page = check_page(&mut insurer, &altered.to_string(), false).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<span id="verdict">Altered</span>"#), "{}", page.body);
    assert!(page.body.contains("this copy has been changed") && !page.body.contains("/invoices/claim"));
    assert_no_payer(&page);

    let mut other = inv.clone();
    other["invoice_number"] = json!("NOT-ISSUED");
    let page = check_page(&mut insurer, &other.to_string(), false).await;
    assert!(page.body.contains(r#"<span id="verdict">Unknown</span>"#));

    let page = check_page(&mut insurer, &serde_json::to_string_pretty(&inv).unwrap(), false).await;
    assert!(page.body.contains(r#"<span id="verdict">Authentic</span>"#), "{}", page.body);
    for shown in ["100.00 CNY", "No one has claimed this invoice yet.", "no: the hospital sent no signature"] {
        assert!(page.body.contains(shown), "{shown}");
    }
    assert_eq!((input_value(&page, "amount"), input_value(&page, "content_hash")), ("100.00".into(), hash.clone()));
    assert!(input_value(&page, "claim_reference").starts_with("WEB-"));
    assert_no_payer(&page);
    let uploaded = check_page(&mut insurer, &inv.to_string(), true).await;
    assert!(uploaded.body.contains(r#"<span id="verdict">Authentic</span>"#), "the file works as the text");
    // One click, with the amount changed to 60.00: claimed, with the claim's record.
    let done = click_claim(&mut insurer, &page, Some("60.00")).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains(r#"<h1 id="outcome">Claim recorded</h1>"#));
    let at = done.body.find(r#"href="/e/"#).expect("a link to the claim's record") + 9;
    let claim_id = done.body[at..].split('"').next().unwrap().to_owned();
    let record = insurer.get(&format!("/e/{claim_id}")).await;
    assert!(record.status == 200 && record.body.contains("claim"), "the insurer owns the claim record");
    assert_eq!(api_remaining(&app, "CK-1", &hash).await, "40.00");
    // The same click again (a reload): the first claim, nothing added.
    let again = click_claim(&mut insurer, &page, Some("60.00")).await;
    assert!(again.body.contains("recorded before") && again.body.contains(&claim_id));
    assert_eq!(api_remaining(&app, "CK-1", &hash).await, "40.00");
    let reused = click_claim(&mut insurer, &page, Some("10.00")).await;
    assert_eq!(reused.status, 409);
    assert!(reused.body.contains("already used for another invoice or amount"));

    // Another insurer's claim shows as a time and an amount, never its name.
    let other_key = app.store().await.create_tenant("Rival Mutual", TenantRole::Insurer, None).await.unwrap().1;
    assert_eq!(claim(&app, &other_key, "CK-1", &hash, "15.00", "R-1").await.0, 201);
    let page = check_page(&mut insurer, &inv.to_string(), false).await;
    assert!(page.body.contains("60.00 CNY (yours)") && page.body.contains("15.00 CNY</td>"));
    assert!(!page.body.contains("Rival Mutual"));
    assert_eq!(input_value(&page, "amount"), "25.00");

    // More than remains: refused with the remaining amount, the form offered again with it.
    let over = click_claim(&mut insurer, &page, Some("30.00")).await;
    assert_eq!(over.status, 409);
    assert!(over.body.contains(r#"<h1 id="outcome">Claim refused</h1>"#));
    assert!(
        over.body.contains("more than what remains reimbursable on this invoice. Remaining: 25.00"),
        "{}",
        over.body
    );
    assert_eq!(input_value(&over, "amount"), "25.00");
    assert_eq!(api_remaining(&app, "CK-1", &hash).await, "25.00");
    let last = click_claim(&mut insurer, &over, None).await;
    assert!(last.body.contains("Claim recorded"));
    let page = check_page(&mut insurer, &inv.to_string(), false).await;
    assert!(page.body.contains("Nothing remains to claim") && !page.body.contains(r#"action="/invoices/claim""#));

    // In Chinese, and for a voided invoice.
    insurer.get("/invoices/check?lang=zh").await;
    let page = check_page(&mut insurer, &inv.to_string(), false).await;
    assert!(page.body.contains(r#"<span id="verdict">真实有效</span>"#), "{}", page.body);
    let voided = invoice("DEMO-HOSP", "CK-2");
    issue(&app, &voided).await;
    let res = app
        .post_json(&format!("{}/void", path("CK-2")), Some(app.key(TenantRole::Hospital)), &json!({"reason": "x"}))
        .await;
    assert_eq!(res.status(), 201);
    let page = check_page(&mut insurer, &voided.to_string(), false).await;
    assert!(page.body.contains(r#"<span id="verdict">已作废</span>"#) && !page.body.contains("/invoices/claim"));

    let page = check_page(&mut insurer, "{not json", false).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains(r#"class="error""#));
    let page = check_page(&mut insurer, "  ", false).await;
    assert_eq!(page.status, 422);
}

#[tokio::test]
async fn others_get_no_invoice_data_and_every_invoice_form_needs_its_token() {
    let (app, inv, hash) = app_with_invoice("SEC-1").await;

    let mut visitor = Browser::new(&app.base);
    for (page, next) in [("/invoices", "/login?next=/invoices"), ("/invoices/check", "/login?next=/invoices/check")] {
        let res = visitor.get(page).await;
        assert_eq!((res.status, res.headers["location"].to_str().unwrap()), (303, next));
    }
    let login = visitor.get("/login?next=/invoices").await;
    assert!(login.body.contains(r#"name="next" value="/invoices""#), "back to the page after logging in");

    for (role, page, words) in [
        (TenantRole::Merchant, "/invoices", "This page is for hospitals"),
        (TenantRole::Merchant, "/invoices/check", "This page is for insurers"),
        (TenantRole::Insurer, "/invoices", "This page is for hospitals"),
        (TenantRole::Hospital, "/invoices/check", "This page is for insurers"),
    ] {
        let res = logged_in(&app, role).await.get(page).await;
        assert_eq!(res.status, 403, "{page}");
        assert!(res.body.contains(words) && !res.body.contains("SEC-1"), "{page}: {}", res.body);
    }
    let mut merchant = logged_in(&app, TenantRole::Merchant).await;
    let mut insurer = logged_in(&app, TenantRole::Insurer).await;
    assert!(!merchant.get("/").await.body.contains(r#"href="/invoices"#), "no invoice link for a merchant");

    // A merchant posting a check with its own valid token is still refused.
    let csrf = merchant.get("/").await.csrf();
    let form = Form::new().text("csrf", csrf).text("invoice", inv.to_string());
    let res = merchant.post_multipart("/invoices/check", form).await;
    assert!(res.status == 403 && !res.body.contains("verdict"));

    // Without the token, or with another visitor's: 403 and nothing done.
    let foreign = visitor.get("/login").await.csrf();
    for csrf in [None, Some(foreign.as_str())] {
        let mut form = Form::new().text("invoice", inv.to_string());
        if let Some(c) = csrf {
            form = form.text("csrf", c.to_owned());
        }
        let res = insurer.post_multipart("/invoices/check", form).await;
        assert!(res.status == 403 && res.body.contains("did not come from this site") && !res.body.contains("verdict"));
        let mut fields = vec![("issuer", "DEMO-HOSP"), ("invoice_code", "330100-2026"), ("invoice_number", "SEC-1")];
        fields.extend([("content_hash", hash.as_str()), ("amount", "10.00"), ("claim_reference", "CSRF-1")]);
        fields.extend(csrf.map(|c| ("csrf", c)));
        assert_eq!(insurer.post_form("/invoices/claim", &fields).await.status, 403);
        let logged_out = visitor.post_form("/invoices/claim", &fields).await;
        assert_eq!(logged_out.status, 303, "a visitor who is not logged in is sent to log in");
    }
    assert_eq!(api_remaining(&app, "SEC-1", &hash).await, "100.00", "no claim was made");
    let detail: Value = app.get(&path("SEC-1"), Some(app.key(TenantRole::Hospital))).await.json().await.unwrap();
    assert_eq!(detail["checks"].as_array().unwrap().len(), 1, "only the API check above reached the access log");
}

#[tokio::test]
async fn after_an_erasure_the_hospital_pages_link_no_receipt_and_say_why() {
    let app = TestApp::spawn().await;
    let issued = issue(&app, &invoice("DEMO-HOSP", "ER-1")).await;
    let (id, hospital) = (issued.evidence.id, app.key(TenantRole::Hospital).to_owned());
    app.anchored_receipt(id, &hospital).await;
    let mut browser = logged_in(&app, TenantRole::Hospital).await;
    let receipt_link = format!(r#"href="/e/{id}/receipt.json""#);
    assert!(browser.get(&format!("/e/{id}")).await.body.contains(&receipt_link), "linked while it answers");

    let res =
        app.http.delete(app.url(&format!("{}/content", path("ER-1")))).bearer_auth(&hospital).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let erased: Value = res.json().await.unwrap();
    assert!(erased["evidence"]["receipt"].is_null(), "the API links no receipt route: {erased}");
    let page = browser.get(&format!("/e/{id}")).await;
    // The how-to-verify text still names receipt.zip; no link leads to a receipt route.
    assert!(!page.body.contains(&format!("/e/{id}/receipt.")), "{}", page.body);
    assert!(
        page.body.contains(r#"<p class="note erased-note">No new receipt can be downloaded: the content was erased."#)
    );
    let note = "erased with the invoice&#39;s content; receipts issued before stay valid";
    let list = browser.get("/invoices").await;
    assert!(list.body.contains(&format!(r#"<span class="note erased-note">({note})</span>"#)), "{}", list.body);
    assert_eq!(app.get(&format!("/v1/evidence/{id}/receipt"), Some(&hospital)).await.status(), 410);
}
