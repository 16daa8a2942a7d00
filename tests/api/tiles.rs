//! Receipts from stored tile roots: a block of several tiles gives a verifying proof for a
//! leaf in every tile, and the proof is the one the whole tree gives (a block without stored
//! tiles, as sealed before migration 0009, falls back to the whole tree).

use notarium::crypto::{OpensslChecker, TrustStore};
use notarium::domain::verify::{QuorumPolicy, VerifyInput, verify};
use notarium::domain::{Hash, TenantRole};
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::backend::Param;

#[actix_web::test]
async fn every_tile_of_a_block_gives_the_whole_trees_proof() {
    let app = TestApp::spawn().await;
    let merchant = app.key(TenantRole::Merchant).to_owned();
    let contents: Vec<Vec<u8>> = (0..700).map(|i| format!("tiled {i}").into_bytes()).collect();
    let items: Vec<Value> = contents.iter().map(|c| json!({"kind": "document", "content_hash": Hash::of(c)})).collect();
    let created = app.register_batch(&merchant, &items).await.items;
    let ids: Vec<String> = created.iter().map(|e| e.id.to_string()).collect();

    let trust = TrustStore::from_dir(&app.trust_dir()).unwrap();
    let picks = [0, 255, 256, 511, 512, 699];
    let mut tiled = Vec::new();
    for i in picks {
        let receipt = app.anchored_receipt(&ids[i], &merchant).await;
        let input = VerifyInput { file_hash: Some(Hash::of(&contents[i])), online_header: None, ..Default::default() };
        let report = verify(&receipt, &input, &OpensslChecker { trust: &trust }, &QuorumPolicy::default());
        assert!(report.valid, "item {i}: {report:#?}");
        tiled.push(receipt);
    }
    let height = tiled[0].block.height;
    assert!(tiled.iter().all(|r| r.block.height == height), "one atomic batch, one block");
    let leaf_count = tiled[0].proof.leaf_count;
    assert!(leaf_count >= 700);
    let store = app.store().await;
    let roots = store.block_tiles(height).await.unwrap().expect("tile roots stored at sealing");
    assert_eq!(roots.len() as u64, 32 * leaf_count.div_ceil(256));

    // Without the stored roots the service rebuilds the whole tree: the same proofs.
    let mut db = app.db().await;
    db.execute("DELETE FROM block_tiles", &[]).await;
    assert_eq!(store.block_tiles(height).await.unwrap(), None);
    for (i, before) in picks.iter().zip(&tiled) {
        let whole = app.anchored_receipt(&ids[*i], &merchant).await;
        assert_eq!(whole.proof, before.proof, "item {i}");
    }

    // A damaged tile root is an error, never a receipt whose proof fails at the court.
    let mut damaged = roots.clone();
    damaged[5] ^= 1; // tile 0's root: a sibling in the proof of a leaf of tile 1
    let insert = "INSERT INTO block_tiles (height, roots) VALUES ($1, $2)";
    db.execute(insert, &[Param::Int(height as i64), Param::Bytes(&damaged)]).await;
    let res = app.get(&format!("/v1/evidence/{}/receipt", ids[300]), Some(&merchant)).await;
    assert_eq!(res.status(), 500);
    app.stop().await;
}
