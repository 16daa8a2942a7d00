//! An e-invoice as a hospital submits it: JSON read field by field. Every refusal names a
//! pointer; what is accepted canonicalises.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notarium::domain::invoice::Invoice;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    match Invoice::parse(&value) {
        Ok(invoice) => drop(invoice),
        Err(errors) => assert!(!errors.is_empty(), "a refusal names at least one field"),
    }
});
