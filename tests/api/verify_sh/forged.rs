//! Forged receipts fail `verify.sh` as they fail `notarium verify`: a forged leaf with the
//! expected values edited to match it (leaf.txt and proof.txt written consistently), a swapped
//! sibling, a proof from another block, a tampered co-signature. Each is written as the
//! service writes a zip, so that every file of the bundle agrees with its `receipt.json`.

use notarium::domain::{Hash, Receipt, TenantRole};

use super::{assert_verdicts, batch_zips, dev_anchors, receipt_of, served_zip, zip_of};
use crate::support::TestApp;
use crate::support::programs::can_run_verify_txt;

/// The receipts of a block of 5 hash-only records with their contents, and of one record of a
/// later block.
async fn two_blocks(app: &TestApp, key: &str) -> (Vec<(Receipt, Vec<u8>)>, (Receipt, Vec<u8>)) {
    let contents: Vec<Vec<u8>> = (0..5).map(|i| format!("minutes of meeting {i}").into_bytes()).collect();
    let zips = batch_zips(app, key, &contents).await;
    let block: Vec<(Receipt, Vec<u8>)> = zips.iter().map(|z| receipt_of(z)).zip(contents).collect();
    let later = b"registered in a later block".to_vec();
    let id = app.register(&later).await.id.to_string();
    let other = receipt_of(&served_zip(app, &id, key).await);
    assert_ne!(other.block.height, block[0].0.block.height, "two blocks");
    (block, (other, later))
}

#[actix_web::test]
async fn forged_leaves_and_proofs_and_a_tampered_cosignature_fail_verify_sh_as_notarium_verify() {
    if !can_run_verify_txt() {
        return;
    }
    let app = TestApp::spawn().await;
    let anchors = dev_anchors(&app);
    let key = app.key(TenantRole::Merchant).to_owned();
    let (block, (other, other_content)) = two_blocks(&app, &key).await;
    let _data = app.stop().await;
    let (genuine, content) = &block[0];
    assert_eq!(genuine.proof.siblings.len(), 3, "leaf 0 of 5: three siblings");
    assert_verdicts("genuine", &zip_of(genuine), content, &anchors, true);
    assert_verdicts("the later block's record", &zip_of(&other), &other_content, &anchors, true);

    // A forged file with the receipt's expected values edited to match it: content hash and
    // leaf hash, so leaf.txt names the forged file's hash and hashes to what proof.txt starts from.
    let forgery = b"a contract the parties never signed".to_vec();
    let mut forged = genuine.clone();
    forged.evidence.content_hash = Hash::of(&forgery);
    forged.leaf_hash = forged.leaf().hash();
    let text = assert_verdicts("a forged leaf", &zip_of(&forged), &forgery, &anchors, false);
    assert!(text.contains("original file: OK") && text.contains("inclusion proof: FAILED"), "{text}");

    // The forged leaf placed in the proof instead of a genuine neighbour's: still not the root.
    let mut swapped = genuine.clone();
    swapped.proof.siblings.swap(0, 1);
    let text = assert_verdicts("a swapped sibling", &zip_of(&swapped), content, &anchors, false);
    assert!(text.contains("inclusion proof: FAILED"), "{text}");

    let mut neighbour = genuine.clone();
    neighbour.proof.siblings[0] = block[2].0.leaf_hash;
    assert_verdicts("another leaf as sibling", &zip_of(&neighbour), content, &anchors, false);

    // The leaf with the proof, header and co-signatures of another (genuinely signed) block.
    let mut moved = genuine.clone();
    moved.proof = other.proof.clone();
    moved.block = other.block.clone();
    moved.cosignatures = other.cosignatures.clone();
    let text = assert_verdicts("a proof from another block", &zip_of(&moved), content, &anchors, false);
    assert!(text.contains("co-signature court: OK") && text.contains("inclusion proof: FAILED"), "{text}");

    // One bit of the court's signature value.
    let mut tampered = genuine.clone();
    let cms = &mut tampered.cosignatures[0].cms;
    let at = cms.len() - 2;
    cms[at] ^= 1;
    let text = assert_verdicts("a tampered co-signature", &zip_of(&tampered), content, &anchors, false);
    assert!(text.contains("co-signature court: FAILED") && text.contains("co-signature notary: OK"), "{text}");
}
