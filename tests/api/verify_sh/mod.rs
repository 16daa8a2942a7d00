//! A v2 receipt zip checked completely with standard tools: `sh verify.sh FILE` run in a clean
//! folder with only sh, b3sum, openssl and the POSIX utilities on the `PATH` (no `notarium`),
//! whose verdict must equal `notarium verify`'s on genuine receipts (documents, images,
//! invoices, every leaf of a block of 7), forged ones and forged co-signers.

mod forged;
mod genuine;
mod pki;

use notarium::bundle::{read_receipt, write_receipt_zip};
use notarium::domain::{Hash, Receipt};
use serde_json::{Value, json};

use crate::support::TestApp;
pub use crate::support::bundle::{Anchors, assert_verdicts};

/// The dev PKI's CA, which certifies both roles, as the court's anchors.
pub fn dev_anchors(app: &TestApp) -> Anchors {
    let ca = app.trust_dir().join("ca.pem");
    Anchors { court: ca.clone(), notary: ca }
}

/// The zip the service serves for `id`, once anchored.
pub async fn served_zip(app: &TestApp, id: &str, key: &str) -> Vec<u8> {
    app.anchored_receipt(id, key).await;
    let res = app.get(&format!("/v1/evidence/{id}/receipt.zip"), Some(key)).await;
    assert_eq!(res.status(), 200, "receipt.zip of {id}");
    res.bytes().await.unwrap().to_vec()
}

/// The receipt in a zip.
pub fn receipt_of(zip: &[u8]) -> Receipt {
    read_receipt(zip).unwrap()
}

/// The zip of a receipt changed by a test, written as the service writes one.
pub fn zip_of(receipt: &Receipt) -> Vec<u8> {
    write_receipt_zip(receipt).unwrap()
}

/// Registers `contents` as hash-only documents in one batch (so, one block) and returns their
/// served zips, in order.
pub async fn batch_zips(app: &TestApp, key: &str, contents: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let items: Vec<Value> =
        contents.iter().map(|c| json!({ "kind": "document", "content_hash": Hash::of(c) })).collect();
    let mut zips = Vec::new();
    for record in app.register_batch(key, &items).await.items {
        zips.push(served_zip(app, &record.id.to_string(), key).await);
    }
    zips
}
