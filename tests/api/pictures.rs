//! Test pictures: smooth natural-looking patterns from a seed (distinct seeds are distinct
//! pictures to PDQ), their encodings, an EXIF block with a capture time, a GPS position and a
//! camera serial number, and the registration form.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::multipart::{Form, Part};

use crate::support::{Evidence, TestApp, expect};

/// A `width × height` picture: a sum of six sinusoidal waves per channel drawn from `seed`.
pub fn picture(seed: u64, width: u32, height: u32) -> RgbImage {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f32 / (1u64 << 53) as f32
    };
    let waves: Vec<[f32; 5]> = (0..18)
        .map(|_| [1.0 + 7.0 * next(), 1.0 + 7.0 * next(), std::f32::consts::TAU * next(), 20.0 + 40.0 * next(), next()])
        .collect();
    RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        let channel = |c: usize| {
            let sum: f32 = waves[c * 6..c * 6 + 6]
                .iter()
                .map(|[fx, fy, phase, amp, tilt]| {
                    amp * (std::f32::consts::TAU * (fx * u + fy * (v - tilt * u)) + phase).sin()
                })
                .sum();
            (128.0 + sum).clamp(0.0, 255.0) as u8
        };
        Rgb([channel(0), channel(1), channel(2)])
    })
}

pub fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), format).expect("encode");
    bytes
}

pub fn jpeg(seed: u64, width: u32, height: u32) -> Vec<u8> {
    encode(&DynamicImage::ImageRgb8(picture(seed, width, height)), ImageFormat::Jpeg)
}

/// A JPEG with an APP1 EXIF block holding `tiff`, right after its start marker.
pub fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let length = u16::try_from(2 + 6 + tiff.len()).expect("a small EXIF block");
    let mut out = jpeg[..2].to_vec();
    out.extend([0xff, 0xe1]);
    out.extend(length.to_be_bytes());
    out.extend(b"Exif\0\0");
    out.extend(tiff);
    out.extend(&jpeg[2..]);
    out
}

/// The serial number and latitude written by [`camera_exif`], to look for afterwards.
pub const SERIAL: &str = "SN-88421-XQ";

/// A little-endian TIFF block: DateTimeOriginal 2024:05:01 10:20:30 with offset +08:00, the
/// body serial number [`SERIAL`], and a GPS latitude N 31° 14' 3".
pub fn camera_exif() -> Vec<u8> {
    // Layout: header (8) | IFD0 at 8 (2 entries) | Exif IFD at 38 (3 entries) | its data at 80
    // (date 20, offset 7, serial 12) | GPS IFD at 120 (2 entries) | its data at 150 (3 rationals).
    let mut t: Vec<u8> = b"II\x2a\x00".to_vec();
    t.extend(8u32.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value.to_le_bytes());
    };
    let (ascii, long, rational) = (2u16, 4u16, 5u16);
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x8769, long, 1, 38);
    entry(&mut t, 0x8825, long, 1, 120);
    t.extend(0u32.to_le_bytes());
    assert_eq!(t.len(), 38);
    t.extend(3u16.to_le_bytes());
    entry(&mut t, 0x9003, ascii, 20, 80);
    entry(&mut t, 0x9011, ascii, 7, 100);
    entry(&mut t, 0xa431, ascii, 12, 107);
    t.extend(0u32.to_le_bytes());
    assert_eq!(t.len(), 80);
    t.extend(b"2024:05:01 10:20:30\0");
    t.extend(b"+08:00\0");
    t.extend(SERIAL.as_bytes());
    t.push(0);
    t.push(0); // word alignment
    assert_eq!(t.len(), 120);
    t.extend(2u16.to_le_bytes());
    t.extend(0x0001u16.to_le_bytes());
    t.extend(ascii.to_le_bytes());
    t.extend(2u32.to_le_bytes());
    t.extend(b"N\0\0\0");
    entry(&mut t, 0x0002, rational, 3, 150);
    t.extend(0u32.to_le_bytes());
    assert_eq!(t.len(), 150);
    for (n, d) in [(31u32, 1u32), (14, 1), (3, 1)] {
        t.extend(n.to_le_bytes());
        t.extend(d.to_le_bytes());
    }
    t
}

/// The registration form: the file and the text fields given.
pub fn form(bytes: Vec<u8>, file_name: &str, fields: &[(&str, &str)]) -> Form {
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name(file_name.to_owned()));
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    form
}

/// `POST /v1/images` with `key`; the response.
pub async fn post_image(app: &TestApp, key: &str, form: Form) -> reqwest::Response {
    app.http.post(app.url("/v1/images")).bearer_auth(key).multipart(form).send().await.unwrap()
}

/// Registers `bytes` (`201`): the record.
pub async fn register(app: &TestApp, key: &str, bytes: Vec<u8>, title: &str, public: bool) -> Evidence {
    let fields = [("title", title), ("public", if public { "true" } else { "false" })];
    expect(post_image(app, key, form(bytes, &format!("{title}.jpg"), &fields)).await, 201).await
}

/// `POST /v1/images/search` without a key; the response.
pub async fn search(app: &TestApp, bytes: Vec<u8>) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name("suspect.jpg"));
    app.http.post(app.url("/v1/images/search")).multipart(form).send().await.unwrap()
}
