//! Arbitrary and mutated bytes through the receipt reader and the verifier: never a panic,
//! only a clean refusal (or, for a harmless mutation, a verdict).

use notarium::bundle::read_receipt;
use notarium::domain::BlockHeader;
use proptest::prelude::*;

use crate::fixtures::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let _ = read_receipt(&bytes);
        let mut zipish = b"PK\x03\x04".to_vec();
        zipish.extend_from_slice(&bytes);
        let _ = read_receipt(&zipish);
        let _ = BlockHeader::parse(&String::from_utf8_lossy(&bytes));
        let _ = notarium::crypto::cms::inspect(&bytes);
    }
}

/// One valid receipt's JSON, mutated at random places: parse and verify never panic, and a
/// mutation that still parses either leaves the receipt equal in meaning or makes it invalid.
#[test]
fn mutated_receipts_are_refused_cleanly() {
    let r = good_receipt();
    let json = r.to_json_pretty().into_bytes();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(400));
    runner
        .run(&(proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)), |edits| {
            let mut bytes = json.clone();
            for (at, byte) in &edits {
                let i = at.index(bytes.len());
                bytes[i] = *byte;
            }
            if let Ok(parsed) = read_receipt(&bytes) {
                let report = check(&parsed, Some(CONTENT));
                if parsed != r {
                    // Only the labels (`witness`, `role`) may change without the receipt being refused.
                    prop_assert!(
                        !report.valid || same_meaning(&parsed, &r),
                        "accepted a changed receipt: {edits:?}: {}",
                        diff(&parsed, &r)
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}

fn same_meaning(a: &notarium::domain::Receipt, b: &notarium::domain::Receipt) -> bool {
    // A co-signature's `witness` name and `role` are labels: no signature or hash covers
    // them; the certificate identifies the signer (and the report shows its subject).
    let strip = |r: &notarium::domain::Receipt| {
        let mut r = r.clone();
        for (i, c) in r.cosignatures.iter_mut().enumerate() {
            c.role = notarium::domain::Role::Court;
            c.witness = format!("w{i}").parse().unwrap();
        }
        r
    };
    strip(a) == strip(b)
}

/// The JSON pointers at which two receipts differ, for failure messages.
fn diff(a: &notarium::domain::Receipt, b: &notarium::domain::Receipt) -> String {
    fn walk(p: String, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
        match (a, b) {
            (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
                for k in x.keys().chain(y.keys()) {
                    let null = serde_json::Value::Null;
                    walk(format!("{p}/{k}"), x.get(k).unwrap_or(&null), y.get(k).unwrap_or(&null), out);
                }
            }
            (serde_json::Value::Array(x), serde_json::Value::Array(y)) if x.len() == y.len() => {
                x.iter().zip(y).enumerate().for_each(|(i, (x, y))| walk(format!("{p}/{i}"), x, y, out));
            }
            _ if a != b => out.push(format!("{p}: {a} vs {b}")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(String::new(), &serde_json::to_value(a).unwrap(), &serde_json::to_value(b).unwrap(), &mut out);
    out.join("; ")
}
