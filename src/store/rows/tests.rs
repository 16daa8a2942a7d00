//! The typed reads and decoders on a row held in memory: what every backend's row reads as.

use std::collections::HashMap;

use anyhow::anyhow;

use super::*;
use crate::domain::{EvidenceId, EvidenceKind, Role, TenantId, TenantRole};
use crate::store::columns::id_bytes;

#[derive(Clone)]
enum Value {
    Null,
    Int(i64),
    Bytes(Vec<u8>),
    Text(String),
}

#[derive(Default)]
struct Row(HashMap<&'static str, Value>);

impl Row {
    fn with(mut self, col: &'static str, v: Value) -> Self {
        self.0.insert(col, v);
        self
    }

    fn value(&self, col: &str) -> anyhow::Result<&Value> {
        self.0.get(col).ok_or_else(|| anyhow!("no column {col}"))
    }
}

impl StoredRow for Row {
    fn maybe_int(&self, col: &str) -> anyhow::Result<Option<i64>> {
        match self.value(col)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            _ => Err(anyhow!("{col}: not an integer")),
        }
    }

    fn maybe_bytes(&self, col: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match self.value(col)? {
            Value::Null => Ok(None),
            Value::Bytes(v) => Ok(Some(v.clone())),
            _ => Err(anyhow!("{col}: not bytes")),
        }
    }

    fn maybe_string(&self, col: &str) -> anyhow::Result<Option<String>> {
        match self.value(col)? {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v.clone())),
            _ => Err(anyhow!("{col}: not text")),
        }
    }

    fn flag(&self, col: &str) -> anyhow::Result<bool> {
        Ok(self.int(col)? != 0)
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn record_row(kind: &str, salt: Vec<u8>) -> Row {
    Row::default()
        .with("seq", Value::Int(7))
        .with("id", Value::Bytes(id_bytes(&EvidenceId::generate())))
        .with("tenant_id", Value::Bytes(id_bytes(&TenantId::generate())))
        .with("kind", text(kind))
        .with("content_hash", Value::Bytes(vec![3; 32]))
        .with("salt", Value::Bytes(salt))
        .with("meta_hash", Value::Bytes(Vec::new()))
        .with("metadata", text(r#"{"title":"t"}"#))
        .with("received_ms", Value::Int(1_700_000_000_000))
        .with("leaf_hash", Value::Bytes(vec![4; 32]))
        .with("meta_salt", Value::Null)
}

#[test]
fn a_record_reads_back_and_damage_is_named() {
    let r = record(&record_row("document", vec![5; 32])).unwrap();
    assert_eq!((r.seq, r.kind, r.received.unix_millis()), (7, EvidenceKind::Document, 1_700_000_000_000));
    assert_eq!(r.metadata.unwrap()["title"], "t");
    assert_eq!(r.meta_hash, crate::domain::canonical::meta_hash(None));
    // Only an erased invoice has an empty salt.
    assert!(record(&record_row("document", Vec::new())).is_err());
    assert!(record(&record_row("invoice", Vec::new())).unwrap().salt.is_none());
    let negative = record_row("document", vec![5; 32]).with("seq", Value::Int(-1));
    assert!(format!("{:#}", record(&negative).unwrap_err()).contains("seq: negative"));
    let short = record_row("document", vec![5; 32]).with("leaf_hash", Value::Bytes(vec![4; 31]));
    assert!(format!("{:#}", record(&short).unwrap_err()).contains("leaf_hash: 31 bytes"));
    // A record registered before leaf v2 has no meta_salt; one after, 32 bytes.
    assert_eq!(r.meta_salt, None);
    let v2 = record(&record_row("document", vec![5; 32]).with("meta_salt", Value::Bytes(vec![6; 32]))).unwrap();
    assert_eq!(v2.meta_salt, Some(Salt([6; 32])));
    let short = record_row("document", vec![5; 32]).with("meta_salt", Value::Bytes(vec![6; 31]));
    assert!(format!("{:#}", record(&short).unwrap_err()).contains("meta_salt: 31 bytes"));
    let unknown = record_row("poem", vec![5; 32]);
    assert!(format!("{:#}", record(&unknown).unwrap_err()).contains("unknown evidence kind"));
}

#[test]
fn nulls_are_absent_where_allowed_and_errors_elsewhere() {
    let block_row = Row::default()
        .with("height", Value::Int(3))
        .with("first_seq", Value::Int(10))
        .with("leaf_count", Value::Int(2))
        .with("header", text("header"))
        .with("block_hash", Value::Bytes(vec![9; 32]))
        .with("sealed_ms", Value::Int(1000))
        .with("anchored_ms", Value::Null);
    assert_eq!(block(&block_row).unwrap().anchored, None);
    let anchored = block_row.with("anchored_ms", Value::Int(2000));
    assert_eq!(block(&anchored).unwrap().anchored.map(|t| t.unix_millis()), Some(2000));
    let no_header = anchored.with("header", Value::Null);
    assert!(format!("{:#}", block(&no_header).unwrap_err()).contains("header: NULL"));
}

#[test]
fn words_and_flags_read_back() {
    let t = Row::default()
        .with("id", Value::Bytes(id_bytes(&TenantId::generate())))
        .with("name", text("Hospital"))
        .with("role", text("hospital"))
        .with("issuer_code", Value::Null)
        .with("disabled", Value::Int(1));
    let tenant = tenant(&t).unwrap();
    assert_eq!((tenant.role, tenant.disabled, tenant.issuer_code), (TenantRole::Hospital, true, None));
    let c = Row::default()
        .with("height", Value::Int(1))
        .with("witness", text("court-1"))
        .with("role", text("notary"))
        .with("cms", Value::Bytes(vec![1, 2]))
        .with("signed_ms", Value::Int(5));
    assert_eq!(cosignature(&c).unwrap().role, Role::Notary);
}

#[test]
fn a_ledger_refuses_counts_past_u32() {
    let l = Row::default()
        .with("reimbursable_cents", Value::Int(100))
        .with("claimed_cents", Value::Int(40))
        .with("active_claims", Value::Int(i64::from(u32::MAX) + 1))
        .with("void_seq", Value::Null);
    assert!(ledger(&l).is_err());
    let l = l.with("active_claims", Value::Int(2)).with("void_seq", Value::Int(9));
    let ledger = ledger(&l).unwrap();
    assert_eq!((ledger.claimed.0, ledger.active_claims, ledger.voided), (40, 2, true));
}
