//! The thumbnail of a registered image: a JPEG whose longest side is at most [`MAX_SIDE`] pixels,
//! shown beside public registrations. Transparent pixels are composited over white, as the
//! fingerprints see them.

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, Rgb, RgbImage};

/// Longest side of a thumbnail, in pixels.
pub const MAX_SIDE: u32 = 320;

/// JPEG quality of thumbnails.
pub const QUALITY: u8 = 80;

/// The thumbnail as JPEG bytes. Images already small enough keep their size.
pub fn thumbnail_jpeg(image: &DynamicImage) -> Vec<u8> {
    let small = if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
        // Each source pixel feeds exactly one target pixel: a box filter, fast on 12 MP.
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        image.clone()
    };
    let rgb = over_white(&small);
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, QUALITY).encode_image(&rgb).expect("encoding to memory cannot fail");
    bytes
}

fn over_white(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let blend = |c: u8| ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8;
        Rgb([blend(r), blend(g), blend(b)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::decode::decode;
    use image::{ImageFormat, RgbaImage};

    #[test]
    fn a_large_image_shrinks_to_320_on_its_longest_side_keeping_its_shape() {
        let image = DynamicImage::ImageRgb8(RgbImage::from_pixel(1600, 900, Rgb([10, 200, 30])));
        let thumb = decode(&thumbnail_jpeg(&image)).expect("a JPEG");
        assert_eq!(thumb.format, ImageFormat::Jpeg);
        assert_eq!((thumb.image.width(), thumb.image.height()), (320, 180));
    }

    #[test]
    fn a_small_image_keeps_its_size_and_transparency_becomes_white() {
        let image = DynamicImage::ImageRgba8(RgbaImage::from_pixel(90, 120, image::Rgba([0, 0, 0, 0])));
        let thumb = decode(&thumbnail_jpeg(&image)).expect("a JPEG").image.to_rgb8();
        assert_eq!(thumb.dimensions(), (90, 120));
        assert!(thumb.pixels().all(|p| p.0.iter().all(|&c| c >= 250)));
    }
}
