//! PDQ, Meta's 256-bit perceptual hash, implemented from its published description
//! ("The TMK+PDQF Video-Hashing Algorithm and the PDQ Image Similarity Algorithm", Meta, 2019):
//!
//! 1. luminance `Y = 0.299 R + 0.587 G + 0.114 B`;
//! 2. a tent-filtered ("Jarosz") downsample of the region to 64 × 64;
//! 3. the 2D DCT, keeping the 16 × 16 lowest frequencies after DC
//!    (`D[k][x] = sqrt(2/64) cos(π/128 · (k + 1) · (2x + 1))`, `B = D · A · Dᵀ`);
//! 4. one bit per coefficient: set when it is above the median of the 256 → 256 bits;
//! 5. the quality score: the summed absolute gradient of the 64 × 64 buffer, scaled to 0–100
//!    (PDQ's authors advise distrusting hashes of quality below 50: flat images).
//!
//! Two deliberate differences from the reference code, neither of which changes what the hash
//! measures: the downsample evaluates a symmetric tent (the kernel Jarosz's two box passes
//! approximate, with the support of a bilinear reduce) at fractional positions, so that any
//! sub-rectangle can be hashed and a mirrored image gives exactly the mirrored hash; and large
//! images are first reduced to a working plane of at most [`WORKING_SIDE`] pixels a side (the
//! reference tools also advise hashing from ~512 px, at no measurable loss).
//!
//! Bit `k = 16 · row + column` of the 16 × 16 coefficients is bit `k % 64` of word `k / 64`; the
//! hex form prints the 256-bit number most significant word first, as Meta's tools do.

mod resample;

use std::fmt;
use std::sync::LazyLock;

use image::DynamicImage;

use resample::{LumaRows, resample};

/// Hash length in bits.
pub const BITS: u32 = 256;

/// Longest side of the working luminance plane that fingerprints are computed from.
pub const WORKING_SIDE: usize = 512;

/// Side of the buffer the DCT runs over.
const BUFFER: usize = 64;

/// Side of the kept block of DCT coefficients.
const KEPT: usize = 16;

/// A 256-bit PDQ hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Pdq(pub [u64; 4]);

impl Pdq {
    /// The Hamming distance: how many of the 256 bits differ.
    pub fn distance(&self, other: &Pdq) -> u32 {
        self.0.iter().zip(other.0.iter()).map(|(a, b)| (a ^ b).count_ones()).sum()
    }

    /// 64 lowercase hex digits, most significant word first.
    pub fn to_hex(&self) -> String {
        self.0.iter().rev().map(|w| format!("{w:016x}")).collect()
    }

    /// Parses [`Pdq::to_hex`]'s form: exactly 64 lowercase hex digits.
    pub fn from_hex(text: &str) -> Option<Pdq> {
        let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        if text.len() != 64 || !text.bytes().all(lower_hex) {
            return None;
        }
        let mut words = [0u64; 4];
        for (i, word) in words.iter_mut().rev().enumerate() {
            *word = u64::from_str_radix(&text[16 * i..16 * (i + 1)], 16).ok()?;
        }
        Some(Pdq(words))
    }
}

impl fmt::Debug for Pdq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pdq({})", self.to_hex())
    }
}

impl fmt::Display for Pdq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// One region's hash with PDQ's quality score (0–100).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hashed {
    pub hash: Pdq,
    pub quality: u8,
}

/// The whole image's PDQ hash.
pub fn hash_image(image: &DynamicImage) -> Hashed {
    let plane = Plane::of_image(image);
    let (dct, quality) = plane.dct(Region::whole(&plane));
    Hashed { hash: dct.hash(), quality }
}

/// A luminance plane (0–255 as `f32`), row-major.
#[derive(Clone, Debug)]
pub struct Plane {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<f32>,
}

/// A rectangle of a plane in fractional pixel coordinates: `[x0, x1) × [y0, y1)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Region {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Region {
    /// The whole plane.
    pub fn whole(plane: &Plane) -> Region {
        Region { x0: 0.0, y0: 0.0, x1: plane.width as f32, y1: plane.height as f32 }
    }

    /// The centre of the plane with `fraction` of the width and of the height cut from each side.
    pub fn centre(plane: &Plane, fraction: f32) -> Region {
        let (w, h) = (plane.width as f32, plane.height as f32);
        Region { x0: w * fraction, y0: h * fraction, x1: w * (1.0 - fraction), y1: h * (1.0 - fraction) }
    }
}

impl Plane {
    /// The luminance of an image, reduced (tent filter) so that its longest side is at most
    /// [`WORKING_SIDE`]; smaller images keep their size. Transparent pixels are composited over
    /// white.
    pub fn of_image(image: &DynamicImage) -> Plane {
        let (width, height) = (image.width() as usize, image.height() as usize);
        if width == 0 || height == 0 {
            return Plane { width: 1, height: 1, pixels: vec![255.0] };
        }
        let longest = width.max(height).max(1);
        let scale = (WORKING_SIDE as f64 / longest as f64).min(1.0);
        let out_w = ((width as f64 * scale).round() as usize).max(1);
        let out_h = ((height as f64 * scale).round() as usize).max(1);
        let whole = Region { x0: 0.0, y0: 0.0, x1: width as f32, y1: height as f32 };
        let rows = LumaRows::new(image);
        let pixels = resample(|y, row| rows.row(y, row), width, height, whole, out_w, out_h);
        Plane { width: out_w, height: out_h, pixels }
    }

    /// The 16 × 16 DCT coefficients of a region and the region's PDQ quality.
    pub fn dct(&self, region: Region) -> (Dct, u8) {
        let buffer = resample(
            |y, row| row.copy_from_slice(&self.pixels[y * self.width..(y + 1) * self.width]),
            self.width,
            self.height,
            region,
            BUFFER,
            BUFFER,
        );
        (Dct::of_buffer(&buffer), quality(&buffer))
    }
}

/// The kept 16 × 16 DCT coefficients of one 64 × 64 buffer, row-major (row = vertical
/// frequency).
#[derive(Clone, Debug, PartialEq)]
pub struct Dct(pub [f32; KEPT * KEPT]);

impl Dct {
    fn of_buffer(buffer: &[f32]) -> Dct {
        let d = &*DCT_MATRIX;
        // T = D · A (16 × 64), then B = T · Dᵀ (16 × 16).
        let mut t = [0f32; KEPT * BUFFER];
        for k in 0..KEPT {
            for (y, row) in buffer.chunks_exact(BUFFER).enumerate() {
                let c = d[k * BUFFER + y];
                for (acc, &a) in t[k * BUFFER..(k + 1) * BUFFER].iter_mut().zip(row) {
                    *acc += c * a;
                }
            }
        }
        let mut b = [0f32; KEPT * KEPT];
        for i in 0..KEPT {
            let t_row = &t[i * BUFFER..(i + 1) * BUFFER];
            for j in 0..KEPT {
                let d_row = &d[j * BUFFER..(j + 1) * BUFFER];
                b[i * KEPT + j] = t_row.iter().zip(d_row).map(|(x, y)| x * y).sum();
            }
        }
        Dct(b)
    }

    /// The hash: one bit per coefficient above the median.
    pub fn hash(&self) -> Pdq {
        let mut sorted = self.0;
        let (_, &mut median, _) = sorted.select_nth_unstable_by(KEPT * KEPT / 2 - 1, f32::total_cmp);
        let mut words = [0u64; 4];
        for (k, &c) in self.0.iter().enumerate() {
            if c > median {
                words[k / 64] |= 1 << (k % 64);
            }
        }
        Pdq(words)
    }

    /// The coefficients of the horizontally mirrored buffer: mirroring `x → 63 − x` multiplies
    /// horizontal frequency `k` by `(−1)^k`, so the columns of odd frequency change sign (the
    /// DCT's dihedral symmetry; no second downsample or transform).
    pub fn mirrored(&self) -> Dct {
        let mut out = self.0;
        for (k, c) in out.iter_mut().enumerate() {
            // Column j holds frequency j + 1.
            if (k % KEPT).is_multiple_of(2) {
                *c = -*c;
            }
        }
        Dct(out)
    }
}

/// `D[k][x] = sqrt(2/64) · cos(π/128 · (k + 1) · (2x + 1))`, 16 × 64, row-major.
static DCT_MATRIX: LazyLock<Vec<f32>> = LazyLock::new(|| {
    let scale = (2.0 / BUFFER as f64).sqrt();
    (0..KEPT)
        .flat_map(|k| (0..BUFFER).map(move |x| (k, x)))
        .map(|(k, x)| {
            let angle = std::f64::consts::PI / 2.0 / BUFFER as f64 * (k + 1) as f64 * (2 * x + 1) as f64;
            (scale * angle.cos()) as f32
        })
        .collect()
});

/// PDQ's quality: the sum of absolute differences between neighbours of the 64 × 64 buffer,
/// each as a percentage of 255, divided by 90 and capped at 100.
fn quality(buffer: &[f32]) -> u8 {
    let at = |y: usize, x: usize| buffer[y * BUFFER + x] as i32;
    let mut sum = 0i64;
    for y in 0..BUFFER {
        for x in 0..BUFFER {
            if y + 1 < BUFFER {
                sum += i64::from(((at(y + 1, x) - at(y, x)) * 100 / 255).abs());
            }
            if x + 1 < BUFFER {
                sum += i64::from(((at(y, x + 1) - at(y, x)) * 100 / 255).abs());
            }
        }
    }
    (sum / 90).min(100) as u8
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::{GrayImage, RgbImage, imageops};

    /// A smooth, textured test picture: sums of sinusoids seeded by `seed`.
    pub(crate) fn picture(seed: u32, width: u32, height: u32) -> RgbImage {
        let s = seed as f32;
        RgbImage::from_fn(width, height, |x, y| {
            let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
            let a = (u * (3.0 + s) + v * 2.0 * s.sin()).sin() + (v * (5.0 + s * 0.7) - u).cos();
            let b = ((u - 0.3 * s.cos()) * (v + 0.2) * (9.0 + s)).sin();
            let lum = (128.0 + 50.0 * a + 40.0 * b).clamp(0.0, 255.0) as u8;
            image::Rgb([lum, lum.wrapping_add((s * 10.0) as u8) / 2 + 60, 255 - lum])
        })
    }

    #[test]
    fn the_same_image_hashes_to_distance_zero() {
        let image = DynamicImage::ImageRgb8(picture(1, 300, 200));
        let (a, b) = (hash_image(&image), hash_image(&image.clone()));
        assert_eq!(a, b);
        assert_eq!(a.hash.distance(&b.hash), 0);
        assert_eq!(a.hash.0.iter().map(|w| w.count_ones()).sum::<u32>(), 128, "median split");
    }

    #[test]
    fn the_mirrored_hash_is_the_hash_of_the_mirrored_image() {
        for seed in 0..5 {
            let image = DynamicImage::ImageRgb8(picture(seed, 320 + seed * 37, 240));
            let plane = Plane::of_image(&image);
            let mirrored_plane =
                Plane::of_image(&DynamicImage::ImageRgb8(imageops::flip_horizontal(image.as_rgb8().expect("rgb"))));
            let (dct, _) = plane.dct(Region::centre(&plane, 0.07));
            let (of_mirror, _) = mirrored_plane.dct(Region::centre(&mirrored_plane, 0.07));
            let distance = dct.mirrored().hash().distance(&of_mirror.hash());
            assert_eq!(distance, 0, "seed {seed}");
        }
    }

    #[test]
    fn distinct_images_are_far_apart() {
        let hashes: Vec<Pdq> =
            (0..8).map(|s| hash_image(&DynamicImage::ImageRgb8(picture(s, 256, 256))).hash).collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert!(a.distance(b) >= 64, "{} bits", a.distance(b));
            }
        }
    }

    #[test]
    fn a_small_resize_moves_few_bits() {
        let original = picture(3, 600, 400);
        let resized = imageops::resize(&original, 300, 200, imageops::FilterType::Triangle);
        let a = hash_image(&DynamicImage::ImageRgb8(original)).hash;
        let b = hash_image(&DynamicImage::ImageRgb8(resized)).hash;
        assert!(a.distance(&b) <= 16, "{} bits", a.distance(&b));
    }

    #[test]
    fn a_flat_image_has_quality_0_and_a_busy_one_100() {
        let flat = DynamicImage::ImageLuma8(GrayImage::from_pixel(100, 100, image::Luma([90])));
        assert_eq!(hash_image(&flat).quality, 0);
        let stripes =
            GrayImage::from_fn(256, 256, |x, y| image::Luma([if (x / 4 + y / 8) % 2 == 0 { 30 } else { 220 }]));
        assert_eq!(hash_image(&DynamicImage::ImageLuma8(stripes)).quality, 100);
    }

    #[test]
    fn hex_round_trips_and_refuses_other_text() {
        let hash = Pdq([1, 2, 3, 0xfedc_ba98_7654_3210]);
        let hex = hash.to_hex();
        assert_eq!(&hex[..16], "fedcba9876543210");
        assert_eq!(Pdq::from_hex(&hex), Some(hash));
        assert_eq!(Pdq::from_hex(&hex.to_uppercase()), None);
        assert_eq!(Pdq::from_hex(&hex[1..]), None);
        assert_eq!(Pdq::from_hex(&format!("+{}", &hex[1..])), None);
    }

    #[test]
    fn tiny_and_transparent_images_hash() {
        let tiny = DynamicImage::ImageRgb8(picture(4, 1, 1));
        assert_eq!(hash_image(&tiny).quality, 0);
        let mut rgba = DynamicImage::ImageRgb8(picture(5, 64, 48)).to_rgba8();
        rgba.pixels_mut().for_each(|p| p.0[3] = 0);
        let white = DynamicImage::ImageLuma8(GrayImage::from_pixel(64, 48, image::Luma([255])));
        assert_eq!(hash_image(&DynamicImage::ImageRgba8(rgba)), hash_image(&white));
    }
}
