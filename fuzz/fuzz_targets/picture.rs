//! Uploaded pictures: the header read for the size and the memory needed, then the decode
//! under a small pixel limit (so a decompression bomb is refused, not decoded) and scaled down
//! as an anonymous search's is.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notarium::fingerprint::decode::{decode_scaled, header};

/// 4 megapixels: large enough for real inputs, small enough to keep each run fast.
const MAX_PIXELS: u64 = 4_000_000;
/// What a decoded picture is scaled down to (as `max_search_pixels` does).
const MAX_OUT: u64 = 250_000;

fuzz_target!(|data: &[u8]| {
    let head = header(data, MAX_PIXELS);
    if let Ok(decoded) = decode_scaled(data, MAX_PIXELS, MAX_OUT) {
        let (w, h) = (decoded.image.width(), decoded.image.height());
        assert!(u64::from(w) * u64::from(h) <= MAX_OUT, "decoded {w} × {h}, past {MAX_OUT} pixels");
        let head = head.expect("a picture that decodes has a readable header");
        let scaled = head.scaled(MAX_OUT);
        assert!(scaled == (w, h) || scaled == (h, w), "header says {scaled:?}, decoded {w} × {h}");
    }
});
