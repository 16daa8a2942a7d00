//! Uploaded pictures: the header read for the pixel count and the memory needed, then the
//! decode under a small pixel limit (so a decompression bomb is refused, not decoded).
#![no_main]

use libfuzzer_sys::fuzz_target;
use notarium::fingerprint::decode::{decode_with_limit, memory_needed};

/// 4 megapixels: large enough for real inputs, small enough to keep each run fast.
const MAX_PIXELS: u64 = 4_000_000;

fuzz_target!(|data: &[u8]| {
    let needed = memory_needed(data, MAX_PIXELS);
    if let Ok(decoded) = decode_with_limit(data, MAX_PIXELS) {
        let pixels = u64::from(decoded.image.width()) * u64::from(decoded.image.height());
        assert!(pixels <= MAX_PIXELS, "decoded {pixels} pixels past the limit");
        assert!(needed.is_ok(), "a picture that decodes has a readable header");
    }
});
