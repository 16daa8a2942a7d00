//! A receipt as uploaded to `notarium verify` or the verify page: JSON or zip bytes. Whatever
//! reads must write back and read again to the same receipt, write its zip, and verify to a
//! report (against the anchors in `fuzz/anchors/`) without panicking.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use notarium::bundle::{read_receipt, write_receipt_zip};
use notarium::crypto::{OpensslChecker, TrustStore};
use notarium::domain::Receipt;
use notarium::domain::quorum::QuorumPolicy;
use notarium::domain::verify::{VerifyInput, verify};

fn trust() -> &'static TrustStore {
    static TRUST: OnceLock<TrustStore> = OnceLock::new();
    TRUST.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("anchors");
        TrustStore::from_dir(&dir).expect("fuzz/anchors holds the dev CA of the seed receipts")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(receipt) = read_receipt(data) else { return };
    let json = receipt.to_json_pretty();
    let again = Receipt::from_json(json.as_bytes()).expect("a receipt that was read reads again");
    assert_eq!(again.to_json_pretty(), json, "reading what was written changes nothing");
    let _ = write_receipt_zip(&receipt);
    let input = VerifyInput::default();
    let _ = verify(&receipt, &input, &OpensslChecker { trust: trust() }, &QuorumPolicy::default());
});
