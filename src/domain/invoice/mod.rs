//! Medical e-invoices (docs/invoices.md): the model and its validation. Pure: the HTTP layer
//! turns the collected problems into `422 invalid_field`.
//!
//! Amounts are exact cents ([`Amount`]); the payer appears only masked and pseudonymised,
//! never as a national id.

mod amount;
mod ledger;
mod read;

use chrono::NaiveDate;
use serde_json::Value;

pub use amount::{Amount, AmountError};
pub use ledger::{Ledger, Refusal};
pub use read::InvalidField;
use read::{Reader, code_like, plain_text, pointer};

/// An outpatient visit or an inpatient stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncounterType {
    Outpatient,
    Inpatient,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encounter {
    pub kind: EncounterType,
    /// The visit or admission number.
    pub number: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    /// At most 4 leading and 4 trailing characters visible, the rest `*`.
    pub masked_id: String,
    /// A salted pseudonym the hospital computes.
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub category: String,
    pub description: String,
    /// A positive decimal, up to 4 decimals.
    pub quantity: String,
    pub unit_price: Amount,
    pub amount: Amount,
}

/// A validated invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub issuer: String,
    pub invoice_code: String,
    pub invoice_number: String,
    pub issue_date: NaiveDate,
    pub currency: String,
    pub payer: Payer,
    pub encounter: Encounter,
    pub lines: Vec<Line>,
    pub total: Amount,
    pub paid_by_fund: Amount,
    pub paid_by_personal_account: Amount,
    pub self_pay: Amount,
    pub reimbursable: Amount,
}

/// Lines per invoice.
pub const MAX_LINES: usize = 1000;

const FIELDS: [&str; 13] = [
    "issuer",
    "invoice_code",
    "invoice_number",
    "issue_date",
    "currency",
    "payer",
    "encounter",
    "lines",
    "total",
    "paid_by_fund",
    "paid_by_personal_account",
    "self_pay",
    "reimbursable",
];

impl Invoice {
    /// Reads and checks an invoice as submitted; every problem is reported with its pointer.
    pub fn parse(value: &Value) -> Result<Self, Vec<InvalidField>> {
        let mut r = Reader::default();
        let Some(obj) = r.object(Some(value), "", &FIELDS) else { return Err(r.errors) };
        let code = |s: &str| code_like(s, 40);
        let issuer = r.text(obj, "", "issuer", code, "the hospital's issuer code: 1-40 letters, digits or -");
        let invoice_code = r.text(obj, "", "invoice_code", code, "1-40 letters, digits or -");
        let invoice_number = r.text(obj, "", "invoice_number", code, "1-40 letters, digits or -");
        let issue_date = r.date(obj, "", "issue_date");
        let currency = r.text(
            obj,
            "",
            "currency",
            |s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()),
            "an ISO 4217 code such as CNY",
        );
        let payer = read_payer(&mut r, obj.get("payer"));
        let encounter = read_encounter(&mut r, obj.get("encounter"));
        let lines = read_lines(&mut r, obj.get("lines"));
        let [total, fund, account, self_pay, reimbursable] =
            ["total", "paid_by_fund", "paid_by_personal_account", "self_pay", "reimbursable"]
                .map(|k| r.amount(obj, "", k));

        if let (Some(lines), Some(total)) = (&lines, total) {
            let sum = Amount::sum(lines.iter().map(|l| &l.amount));
            if sum != Some(total) {
                let sum = sum.map_or("too large".into(), |s| s.to_string());
                r.fail("/total".into(), "sum_mismatch", format!("the lines add up to {sum}, not {total}"));
            }
        }
        if let (Some(t), Some(f), Some(a), Some(s)) = (total, fund, account, self_pay) {
            let split = Amount::sum([&f, &a, &s]);
            if split != Some(t) {
                let split = split.map_or("too large".into(), |x| x.to_string());
                r.fail(
                    "/total".into(),
                    "split_mismatch",
                    format!("paid_by_fund + paid_by_personal_account + self_pay = {split}, not the total {t}"),
                );
            }
        }
        if let (Some(t), Some(f), Some(re)) = (total, fund, reimbursable) {
            let most = Amount(t.0.saturating_sub(f.0));
            if re > most {
                r.fail("/reimbursable".into(), "exceeds_limit", format!("at most total - paid_by_fund = {most}"));
            }
        }
        if let (Some(issued), Some(e)) = (issue_date, &encounter)
            && issued < e.start_date
        {
            r.fail("/issue_date".into(), "invalid_value", "an invoice is not issued before its encounter starts");
        }
        match (issuer, invoice_code, invoice_number, issue_date, currency, payer, encounter, lines) {
            (
                Some(issuer),
                Some(invoice_code),
                Some(invoice_number),
                Some(issue_date),
                Some(currency),
                Some(payer),
                Some(encounter),
                Some(lines),
            ) if r.errors.is_empty() => Ok(Self {
                issuer,
                invoice_code,
                invoice_number,
                issue_date,
                currency,
                payer,
                encounter,
                lines,
                total: total.unwrap_or_default(),
                paid_by_fund: fund.unwrap_or_default(),
                paid_by_personal_account: account.unwrap_or_default(),
                self_pay: self_pay.unwrap_or_default(),
                reimbursable: reimbursable.unwrap_or_default(),
            }),
            _ => Err(r.errors),
        }
    }
}

/// An issuer code, invoice code or invoice number: 1-40 letters, digits or `-`.
pub fn valid_code(s: &str) -> bool {
    code_like(s, 40)
}

/// At most 4 visible characters at each end, at least one `*` between, nothing else masked.
pub fn masked_id_ok(s: &str) -> bool {
    let lead = s.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let stars = s[lead..].bytes().take_while(|b| *b == b'*').count();
    let tail = &s[lead + stars..];
    lead <= 4 && stars >= 1 && tail.len() <= 4 && tail.bytes().all(|b| b.is_ascii_alphanumeric()) && s.len() <= 32
}

fn read_payer(r: &mut Reader, value: Option<&Value>) -> Option<Payer> {
    let obj = r.object(value, "/payer", &["masked_id", "token"])?;
    let masked_id = r.text(
        obj,
        "/payer",
        "masked_id",
        masked_id_ok,
        "at most 4 leading and 4 trailing characters visible, the rest *, e.g. 3301**********1234; never a full id",
    );
    let token = r.text(
        obj,
        "/payer",
        "token",
        |s| (16..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "the hospital's salted pseudonym: 16-128 letters, digits, - or _",
    );
    Some(Payer { masked_id: masked_id?, token: token? })
}

fn read_encounter(r: &mut Reader, value: Option<&Value>) -> Option<Encounter> {
    let obj = r.object(value, "/encounter", &["type", "number", "start_date", "end_date"])?;
    let kind =
        r.text(obj, "/encounter", "type", |s| matches!(s, "outpatient" | "inpatient"), "outpatient or inpatient");
    let number = r.text(
        obj,
        "/encounter",
        "number",
        |s| code_like(s, 40),
        "the visit or admission number: 1-40 letters, digits or -",
    );
    let (start, end) = (r.date(obj, "/encounter", "start_date"), r.date(obj, "/encounter", "end_date"));
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        r.fail("/encounter/end_date".into(), "invalid_value", "the encounter ends before it starts");
        return None;
    }
    let kind = if kind? == "inpatient" { EncounterType::Inpatient } else { EncounterType::Outpatient };
    Some(Encounter { kind, number: number?, start_date: start?, end_date: end? })
}

fn read_lines(r: &mut Reader, value: Option<&Value>) -> Option<Vec<Line>> {
    let items = match value {
        Some(Value::Array(items)) if (1..=MAX_LINES).contains(&items.len()) => items,
        Some(Value::Array(_)) => {
            r.fail("/lines".into(), "invalid_value", format!("1 to {MAX_LINES} lines"));
            return None;
        }
        Some(_) => {
            r.fail("/lines".into(), "invalid_type", "an array of lines is expected");
            return None;
        }
        None => {
            r.fail("/lines".into(), "missing_field", "this field is required");
            return None;
        }
    };
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = pointer("/lines", &i.to_string());
        let Some(obj) = r.object(Some(item), &at, &["category", "description", "quantity", "unit_price", "amount"])
        else {
            continue;
        };
        let category = r.text(obj, &at, "category", plain_text, "1-200 characters");
        let description = r.text(obj, &at, "description", plain_text, "1-200 characters");
        let quantity = r.text(
            obj,
            &at,
            "quantity",
            quantity_ok,
            "a positive decimal with up to 4 decimals, as a string, e.g. \"2\" or \"0.5\"",
        );
        let (unit_price, amount) = (r.amount(obj, &at, "unit_price"), r.amount(obj, &at, "amount"));
        if let (Some(category), Some(description), Some(quantity), Some(unit_price), Some(amount)) =
            (category, description, quantity, unit_price, amount)
        {
            lines.push(Line { category, description, quantity, unit_price, amount });
        }
    }
    (lines.len() == items.len()).then_some(lines)
}

fn quantity_ok(s: &str) -> bool {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty()
        && whole.len() <= 9
        && digits(whole)
        && (whole == "0" || !whole.starts_with('0'))
        && digits(frac)
        && frac.len() <= 4
        && (!s.contains('.') || !frac.is_empty())
        && s.bytes().any(|b| (b'1'..=b'9').contains(&b))
}

#[cfg(test)]
mod tests;
