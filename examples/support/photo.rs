//! A photo-like JPEG for the image benchmarks.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

/// A photo-like picture: broad colour waves, fine texture and sensor noise, as JPEG quality 90.
/// `seed` varies the noise (0 gives the pictures of earlier runs).
pub fn photo_like(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let picture = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 25) as f32 - 12.0;
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        let wave = |fx: f32, fy: f32, phase: f32| (std::f32::consts::TAU * (fx * u + fy * v) + phase).sin();
        let texture = 18.0 * ((x as f32 * 0.37).sin() * (y as f32 * 0.23).cos());
        let c =
            |a: f32, b: f32, p: f32| 128.0 + 60.0 * wave(a, b, p) + 30.0 * wave(b * 3.0, a * 2.0, p) + texture + noise;
        Rgb([
            c(1.3, 2.1, 0.3).clamp(0.0, 255.0) as u8,
            c(2.7, 0.8, 1.9).clamp(0.0, 255.0) as u8,
            c(0.6, 3.3, 4.1).clamp(0.0, 255.0) as u8,
        ])
    });
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(Cursor::new(&mut bytes), 90).encode_image(&picture).expect("encoding to memory");
    bytes
}
