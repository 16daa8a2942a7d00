//! Decoding untrusted image bytes: JPEG, PNG and WebP only (the crate is built without the other
//! formats), with the pixel count read from the header and refused before any pixel is decoded,
//! and the EXIF orientation applied (a phone photo and its re-encoded copy then agree).

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

/// Default pixel limit: 100 megapixels (a 12 MP phone photo is well inside it).
pub const MAX_PIXELS: u64 = 100_000_000;

/// Memory allowed per allowed pixel for the decoded picture.
pub const BYTES_PER_PIXEL: u64 = 4;

/// Why an upload could not be decoded. The HTTP layer maps these to `415` and `422` codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Zero bytes were uploaded.
    #[error("the file is empty")]
    Empty,
    /// The bytes are not JPEG, PNG or WebP: another image format (named), or nothing recognisable.
    #[error("{found} is not an accepted image format (accepted: JPEG, PNG, WebP)")]
    Unsupported {
        /// The format recognised from the signature, or "an unrecognised format".
        found: String,
    },
    /// The header declares more pixels than the limit, or decoding would need more memory than
    /// the limit allows (e.g. 16-bit channels at the pixel limit; `size` is `None` when the
    /// decoder refused before it read the size, e.g. on a PNG's oversized metadata).
    #[error("{}", too_large(*size, *max_pixels))]
    TooLarge { size: Option<(u32, u32)>, max_pixels: u64 },
    /// The bytes start like an accepted format but do not decode: truncated, damaged, with a
    /// zero width or height, or using a feature the decoder lacks (e.g. a 12-bit JPEG).
    #[error("the image data is corrupt or truncated: {reason}")]
    Corrupt { reason: String },
}

/// A decoded image, upright, with its raw EXIF block (TIFF bytes) when it has one.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub image: DynamicImage,
    pub format: ImageFormat,
    pub exif: Option<Vec<u8>>,
}

/// Decodes with the default [`MAX_PIXELS`] limit.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    decode_with_limit(bytes, MAX_PIXELS)
}

/// What a picture's header says, read without decoding any pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub width: u32,
    pub height: u32,
    /// Bytes the decoded pixels take.
    pub bytes: u64,
}

impl Header {
    /// The size the picture is decoded to when at most `max_out` pixels are wanted: its own,
    /// or scaled down (aspect kept, each side at least 1).
    pub fn scaled(&self, max_out: u64) -> (u32, u32) {
        scaled_size(self.width, self.height, max_out)
    }
}

/// The picture's header, with the same refusals as [`decode_with_limit`] for what the header
/// already shows.
pub fn header(bytes: &[u8], max_pixels: u64) -> Result<Header, DecodeError> {
    unpanicked(|| {
        let (decoder, _) = open(bytes, max_pixels)?;
        let (width, height) = decoder.dimensions();
        Ok(Header { width, height, bytes: decoder.total_bytes() })
    })
}

/// Decodes `bytes`, refusing images of more than `max_pixels` pixels from their header.
pub fn decode_with_limit(bytes: &[u8], max_pixels: u64) -> Result<Decoded, DecodeError> {
    decode_scaled(bytes, max_pixels, u64::MAX)
}

/// Decodes like [`decode_with_limit`], then scales a picture of more than `max_out` pixels down
/// to at most `max_out` (aspect kept) before it is turned upright, so that only the small copy
/// is rotated. The decoders used (the `image` crate's: zune-jpeg, png, image-webp) cannot decode
/// at a reduced scale: the whole picture is decoded first, within the caller's memory budget.
pub fn decode_scaled(bytes: &[u8], max_pixels: u64, max_out: u64) -> Result<Decoded, DecodeError> {
    unpanicked(|| decode_unguarded(bytes, max_pixels, max_out))
}

/// Runs a decoder's work with its panics turned into [`DecodeError::Corrupt`]. The decoders
/// are third-party parsers of hostile bytes and some of them panic on crafted input (fuzzing
/// found `png` 0.18.1 indexing past a short palette, `fuzz/artifacts` → the regression test
/// `a_png_whose_palette_is_shorter_than_its_pixels_say_is_corrupt_not_a_panic`): a panic
/// must refuse that upload, never take down the worker serving it.
fn unpanicked<T>(work: impl FnOnce() -> Result<T, DecodeError>) -> Result<T, DecodeError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| {
        tracing::warn!("an image decoder panicked on an upload; refused as corrupt");
        Err(DecodeError::Corrupt { reason: "the decoder could not read it".to_owned() })
    })
}

fn decode_unguarded(bytes: &[u8], max_pixels: u64, max_out: u64) -> Result<Decoded, DecodeError> {
    let (mut decoder, format) = open(bytes, max_pixels)?;
    let size = Some(decoder.dimensions());
    // A damaged EXIF block does not make the picture unusable: it is then left out.
    let exif = decoder.exif_metadata().ok().flatten();
    let orientation = decoder.orientation().map_err(|e| refused(e, size, max_pixels))?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| refused(e, size, max_pixels))?;
    let (width, height) = scaled_size(image.width(), image.height(), max_out);
    if (width, height) != (image.width(), image.height()) {
        // Each source pixel counts once, into the target pixel it falls in: fast, and enough
        // for fingerprints, which are taken from a much smaller copy.
        image = image.thumbnail_exact(width, height);
    }
    image.apply_orientation(orientation);
    Ok(Decoded { image, format, exif })
}

fn scaled_size(width: u32, height: u32, max_out: u64) -> (u32, u32) {
    let pixels = u64::from(width) * u64::from(height);
    if pixels <= max_out {
        return (width, height);
    }
    let scale = (max_out as f64 / pixels as f64).sqrt();
    let side = |n: u32| ((f64::from(n) * scale).floor() as u32).clamp(1, n);
    let (w, h) = (side(width), side(height));
    // A side held at one pixel leaves the other to fit alone (a 100000 × 1 strip).
    let fit = |n: u32, other: u32| n.min((max_out / u64::from(other)).clamp(1, u64::from(u32::MAX)) as u32);
    (fit(w, h), fit(h, w))
}

/// Recognises the format and reads the header, refusing what it shows is not acceptable.
fn open(bytes: &[u8], max_pixels: u64) -> Result<(impl ImageDecoder + '_, ImageFormat), DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().expect("reading from memory cannot fail");
    let format = match reader.format() {
        Some(format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => format,
        Some(other) => return Err(DecodeError::Unsupported { found: other.to_mime_type().to_owned() }),
        None => return Err(DecodeError::Unsupported { found: "an unrecognised format".to_owned() }),
    };
    if format == ImageFormat::Jpeg && !jpeg_has_end(bytes) {
        // The JPEG decoder fills what is missing with grey instead of failing.
        return Err(DecodeError::Corrupt { reason: "the JPEG ends before its end-of-image marker".to_owned() });
    }
    let mut reader = reader;
    // Four bytes per allowed pixel (RGBA, 8-bit): a picture at the pixel limit decodes; one with
    // 16-bit channels must be smaller. This bounds the memory one decode takes (400 MB at 100 MP).
    let max_alloc = max_pixels.saturating_mul(BYTES_PER_PIXEL);
    reader.limits(limits(max_alloc));
    let decoder = reader.into_decoder().map_err(|e| refused(e, None, max_pixels))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(DecodeError::Corrupt { reason: format!("the header declares {width} × {height} pixels") });
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(DecodeError::TooLarge { size: Some((width, height)), max_pixels });
    }
    if decoder.total_bytes() > max_alloc {
        return Err(DecodeError::TooLarge { size: None, max_pixels });
    }
    Ok((decoder, format))
}

/// Whether an end-of-image marker (`FF D9`) follows the last start-of-scan marker (`FF DA`).
/// Entropy-coded data cannot contain `FF D9` (a data `FF` is followed by `00`), and markers inside
/// an embedded EXIF thumbnail come before the last scan; bytes after the end marker are allowed.
fn jpeg_has_end(bytes: &[u8]) -> bool {
    let Some(last_scan) = bytes.windows(2).rposition(|w| w == [0xff, 0xda]) else {
        return false;
    };
    bytes[last_scan..].windows(2).any(|w| w == [0xff, 0xd9])
}

fn limits(max_alloc: u64) -> Limits {
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_alloc);
    limits
}

fn too_large(size: Option<(u32, u32)>, max_pixels: u64) -> String {
    match size {
        Some((w, h)) => format!("the image is {w} × {h} pixels; at most {max_pixels} pixels are accepted"),
        None => format!("the image needs more memory to decode than an image of {max_pixels} pixels"),
    }
}

/// Classifies a decoder's error once the format is known to be an accepted one.
fn refused(error: ImageError, size: Option<(u32, u32)>, max_pixels: u64) -> DecodeError {
    match error {
        ImageError::Limits(_) => DecodeError::TooLarge { size, max_pixels },
        ImageError::Unsupported(e) => DecodeError::Corrupt { reason: format!("it uses a feature not supported: {e}") },
        other => DecodeError::Corrupt { reason: other.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage};

    fn encoded(format: ImageFormat, width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]));
        let mut bytes = Vec::new();
        image.write_to(&mut Cursor::new(&mut bytes), format).expect("encode");
        bytes
    }

    #[test]
    fn a_png_whose_palette_is_shorter_than_its_pixels_say_is_corrupt_not_a_panic() {
        // Found by `cargo fuzz run picture` (docs/fuzzing.md): png 0.18.1 panics inside.
        let bytes = include_bytes!("../../tests/regressions/fuzz/picture-png-short-palette.png");
        assert!(matches!(decode(bytes), Err(DecodeError::Corrupt { .. })));
        assert!(!matches!(header(bytes, MAX_PIXELS), Err(DecodeError::Empty)), "its header is read without a panic");
    }

    #[test]
    fn jpeg_png_and_webp_decode() {
        for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP] {
            let decoded = decode(&encoded(format, 40, 30)).expect("decodes");
            assert_eq!((decoded.format, decoded.image.width(), decoded.image.height()), (format, 40, 30));
        }
    }

    #[test]
    fn empty_bytes_are_empty() {
        assert_eq!(decode(b"").unwrap_err(), DecodeError::Empty);
    }

    #[test]
    fn gif_is_unsupported_and_named() {
        // A complete 1 × 1 GIF.
        let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        let error = decode(gif).unwrap_err();
        assert_eq!(error, DecodeError::Unsupported { found: "image/gif".into() });
        assert!(error.to_string().contains("accepted: JPEG, PNG, WebP"), "{error}");
    }

    #[test]
    fn random_bytes_are_an_unrecognised_format() {
        let bytes: Vec<u8> = (0u32..4096).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        assert_eq!(decode(&bytes).unwrap_err(), DecodeError::Unsupported { found: "an unrecognised format".into() });
    }

    #[test]
    fn truncated_images_are_corrupt() {
        for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP] {
            let bytes = encoded(format, 64, 64);
            for cut in [bytes.len() / 2, 20] {
                match decode(&bytes[..cut]) {
                    Err(DecodeError::Corrupt { .. }) => {}
                    other => panic!("{format:?} cut at {cut}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn a_jpeg_with_bytes_after_its_end_marker_decodes() {
        let mut bytes = encoded(ImageFormat::Jpeg, 32, 32);
        bytes.extend_from_slice(b"trailer written by some cameras");
        assert!(decode(&bytes).is_ok());
    }

    #[test]
    fn a_header_declaring_20000_by_20000_is_too_large_before_decoding() {
        // A PNG of 20000 × 20000 whose header is valid: only the header is read.
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&[0; 3], 1, 1, image::ExtendedColorType::Rgb8)
            .expect("encode");
        png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32fast::hash(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let started = std::time::Instant::now();
        assert_eq!(
            decode(&png).unwrap_err(),
            DecodeError::TooLarge { size: Some((20_000, 20_000)), max_pixels: MAX_PIXELS }
        );
        assert!(started.elapsed() < std::time::Duration::from_millis(100));

        // The same with a JPEG: its SOF0 frame header carries height then width.
        let mut jpeg = encoded(ImageFormat::Jpeg, 16, 16);
        let sof = jpeg.windows(2).position(|w| w == [0xff, 0xc0]).expect("SOF0");
        jpeg[sof + 5..sof + 7].copy_from_slice(&20_000u16.to_be_bytes());
        jpeg[sof + 7..sof + 9].copy_from_slice(&20_000u16.to_be_bytes());
        let error = decode(&jpeg).unwrap_err();
        assert!(matches!(error, DecodeError::TooLarge { size: Some((20_000, 20_000)), .. }), "{error:?}");
        assert_eq!(error.to_string(), "the image is 20000 × 20000 pixels; at most 100000000 pixels are accepted");
    }

    #[test]
    fn a_picture_over_max_out_is_scaled_down_and_turned_upright() {
        let bytes = encoded(ImageFormat::Png, 400, 100);
        let decoded = decode_scaled(&bytes, MAX_PIXELS, 10_000).expect("decodes");
        assert_eq!((decoded.image.width(), decoded.image.height()), (200, 50));
        assert_eq!(header(&bytes, MAX_PIXELS).unwrap().scaled(10_000), (200, 50));
        let same = decode_scaled(&bytes, MAX_PIXELS, 40_000).expect("decodes");
        assert_eq!((same.image.width(), same.image.height()), (400, 100));
        // Never below one pixel a side, never above the picture's own size.
        assert_eq!(scaled_size(100_000, 1, 10), (10, 1));
        assert_eq!(scaled_size(3, 3, 1), (1, 1));
    }

    #[test]
    fn the_limit_is_a_parameter() {
        let bytes = encoded(ImageFormat::Png, 100, 100);
        assert!(decode_with_limit(&bytes, 10_000).is_ok());
        assert!(matches!(decode_with_limit(&bytes, 9_999), Err(DecodeError::TooLarge { .. })));
    }
}
