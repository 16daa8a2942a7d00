//! The modified copies a pirate would post: each made with the `image` crate and encoded to
//! bytes, so that the query goes through the same decoding as an upload.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

/// The JPEG quality platforms re-encode at, used for every variant but `jpeg-q60` and the format
/// switch.
const PLATFORM_QUALITY: u8 = 85;

/// Every variant the quality test checks, by name.
pub const NAMES: [&str; 10] = [
    "jpeg-q60",
    "resize-50%",
    "resize-200%",
    "png<->jpeg",
    "crop-3%",
    "crop-5%",
    "logo-2%",
    "grayscale",
    "brightness+3%",
    "mirror",
];

/// Crops between the stored ones, reported beside the list but not counted in its
/// recall: they show how the match distance grows away from the 1 % grid.
pub const EXTRA: [&str; 5] = ["crop-1.5%", "crop-2.5%", "crop-4.5%", "crop-7.5%", "crop-9.5%"];

/// The encoded variant `name` of `original` (whose file format was `format`); `index` picks the
/// corner of the logo, so that every corner is tested. Only `DynamicImage` methods transform the
/// image: they are compiled (optimised) in the `image` crate, while generic `imageops`
/// functions would be compiled unoptimised into this test.
pub fn make(name: &str, original: &DynamicImage, format: ImageFormat, index: usize) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(original.to_rgb8());
    let (w, h) = (image.width(), image.height());
    match name {
        "jpeg-q60" => jpeg(&image, 60),
        "resize-50%" => jpeg(&image.resize_exact(w / 2, h / 2, FilterType::Triangle), PLATFORM_QUALITY),
        "resize-200%" => jpeg(&image.resize_exact(w * 2, h * 2, FilterType::CatmullRom), PLATFORM_QUALITY),
        "png<->jpeg" if format == ImageFormat::Png => jpeg(&image, 90),
        "png<->jpeg" => png(&image),
        "logo-2%" => jpeg(&logo(image.to_rgb8(), index % 4), PLATFORM_QUALITY),
        "grayscale" => jpeg(&DynamicImage::ImageRgb8(image.grayscale().to_rgb8()), PLATFORM_QUALITY),
        "brightness+3%" => jpeg(&image.brighten(8), PLATFORM_QUALITY),
        "mirror" => jpeg(&image.fliph(), PLATFORM_QUALITY),
        other => {
            let percent = other.strip_prefix("crop-").and_then(|p| p.strip_suffix('%')).expect("a known variant");
            let fraction = percent.parse::<f64>().expect("crop-<percent>%") / 100.0;
            let (dx, dy) = ((f64::from(w) * fraction).round() as u32, (f64::from(h) * fraction).round() as u32);
            jpeg(&image.crop_imm(dx, dy, w - 2 * dx, h - 2 * dy), PLATFORM_QUALITY)
        }
    }
}

/// Stamps a logo in corner `corner` (0 top-left, clockwise): a white box with black diagonal
/// stripes and a border, of the image's shape, covering at most 2 % of the area, 2 % of the
/// shorter side away from the edges.
fn logo(mut image: RgbImage, corner: usize) -> DynamicImage {
    let (w, h) = image.dimensions();
    let side = 0.02f64.sqrt();
    let (lw, lh) = ((f64::from(w) * side).floor() as u32, (f64::from(h) * side).floor() as u32);
    assert!(u64::from(lw) * u64::from(lh) * 50 <= u64::from(w) * u64::from(h), "at most 2 %");
    let margin = (w.min(h) / 50).max(1);
    let (x0, y0) = match corner {
        0 => (margin, margin),
        1 => (w - lw - margin, margin),
        2 => (w - lw - margin, h - lh - margin),
        _ => (margin, h - lh - margin),
    };
    for y in 0..lh {
        for x in 0..lw {
            let border = x < 3 || y < 3 || x + 3 >= lw || y + 3 >= lh;
            let stripe = ((x + y) / 6) % 2 == 0;
            let value = if border || stripe { 20 } else { 245 };
            image.put_pixel(x0 + x, y0 + y, Rgb([value, value, value]));
        }
    }
    DynamicImage::ImageRgb8(image)
}

fn jpeg(image: &DynamicImage, quality: u8) -> Vec<u8> {
    let mut bytes = Vec::new();
    image.write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, quality)).expect("encode JPEG");
    bytes
}

fn png(image: &DynamicImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png).expect("encode PNG");
    bytes
}
