//! The online checks' verdicts from what a service answered (the fetching is tested in
//! `service::online` and against a live service in tests/api/verify_online.rs): the head's
//! co-signatures are checked with real openssl under the receipt's anchors and quorum.

use notarium::domain::online::{Head, OnlineHead, WalkOutcome};
use notarium::domain::verify::{QuorumPolicy, Verdict, VerifyInput, VerifyReport, verify};
use notarium::domain::{Cosignature, Receipt};

use crate::fixtures::*;

fn online(receipt: &Receipt, header: Option<&str>, cosignatures: Vec<Cosignature>, walk: WalkOutcome) -> VerifyReport {
    let head = Head { header: receipt.block.header.clone(), cosignatures };
    let input = VerifyInput {
        online_header: Some(Ok(header.map(str::to_owned))),
        online_head: Some(OnlineHead::Walked { head, walk }),
        ..VerifyInput::default()
    };
    let trust = test_trust();
    verify(receipt, &input, &notarium::crypto::OpensslChecker { trust: &trust }, &QuorumPolicy::default())
}

fn head_check(report: &VerifyReport) -> (Option<bool>, String) {
    let c = report.checks.iter().find(|c| c.name == "online_head").unwrap();
    (c.ok, c.detail.clone())
}

#[test]
fn the_head_is_judged_like_the_receipt_and_the_walk_decides_the_rest() {
    let r = good_receipt();
    let (h, header) = (r.block.height, r.block.header.as_str());
    let linked = WalkOutcome::Linked { from: h, to: h };

    let report = online(&r, Some(header), r.cosignatures.clone(), linked.clone());
    assert!(report.valid, "{report:#?}");
    assert_eq!(head_check(&report).0, Some(true));
    assert!(report.summary.contains(&Verdict::SameHeader { height: h }));
    assert!(report.summary.contains(&Verdict::HistoryLinked { head: h }));

    // One co-signature is not the quorum; 33 are refused before any is checked.
    let (ok, detail) = head_check(&online(&r, Some(header), r.cosignatures[..1].to_vec(), linked.clone()));
    assert_eq!(ok, Some(false));
    assert!(detail.contains("not co-signed by a quorum"), "{detail}");
    let many: Vec<Cosignature> = r.cosignatures.iter().cycle().take(33).cloned().collect();
    let (ok, detail) = head_check(&online(&r, Some(header), many, linked.clone()));
    assert_eq!((ok, detail.contains("more than 32")), (Some(false), true), "{detail}");
    // A co-signature over other bytes fails by its check's name.
    let mut forged = r.cosignatures.clone();
    forged[0].cms[40] ^= 1;
    let (ok, detail) = head_check(&online(&r, Some(header), forged, linked.clone()));
    assert_eq!(ok, Some(false));
    assert!(detail.contains("fails"), "{detail}");

    let capped =
        online(&r, Some(header), r.cosignatures.clone(), WalkOutcome::NotBeyond { checked: 5, head_height: h + 9 });
    assert!(capped.valid, "not checked beyond is neither passed nor failed");
    assert_eq!(head_check(&capped).0, None);
    assert!(head_check(&capped).1.starts_with("not checked beyond 5 headers"));
    assert!(capped.summary.contains(&Verdict::HistoryNotBeyond { checked: 5 }));

    let rewritten = online(&r, Some("another header"), r.cosignatures.clone(), WalkOutcome::Broken("no link".into()));
    assert!(!rewritten.valid);
    assert!(rewritten.summary.contains(&Verdict::DifferentHeader { height: h }));
    assert!(rewritten.summary.contains(&Verdict::HistoryBroken));
    assert_eq!(head_check(&rewritten), (Some(false), "no link".to_owned()));
    let gone = online(&r, None, r.cosignatures.clone(), linked);
    assert!(gone.summary.contains(&Verdict::HeaderGone { height: h }));
}
