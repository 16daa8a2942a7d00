//! The sampling PDQ hashes from: an image's rows as luminance (over white where transparent),
//! and a separable tent-filter resample of any sub-rectangle, symmetric under mirroring.

use image::DynamicImage;

use super::Region;

/// Reads one image's rows as luminance without converting the whole image first.
pub(super) struct LumaRows<'a> {
    bytes: std::borrow::Cow<'a, [u8]>,
    width: usize,
    channels: usize,
}

impl<'a> LumaRows<'a> {
    pub(super) fn new(image: &'a DynamicImage) -> LumaRows<'a> {
        let width = image.width() as usize;
        let (bytes, channels) = match image {
            DynamicImage::ImageLuma8(b) => (b.as_raw().as_slice().into(), 1),
            DynamicImage::ImageLumaA8(b) => (b.as_raw().as_slice().into(), 2),
            DynamicImage::ImageRgb8(b) => (b.as_raw().as_slice().into(), 3),
            DynamicImage::ImageRgba8(b) => (b.as_raw().as_slice().into(), 4),
            // 16-bit and float images are rare uploads: convert them once.
            other => (other.to_rgba8().into_raw().into(), 4),
        };
        LumaRows { bytes, width, channels }
    }

    pub(super) fn row(&self, y: usize, out: &mut [f32]) {
        let stride = self.width * self.channels;
        let row = &self.bytes[y * stride..(y + 1) * stride];
        // Plain loops: this runs once per source pixel, also in unoptimised test builds.
        for (o, p) in out.iter_mut().zip(row.chunks_exact(self.channels)) {
            let (y, alpha) = match *p {
                [g] => (f32::from(g), 255),
                [g, a] => (f32::from(g), a),
                [r, g, b] => (0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b), 255),
                [r, g, b, a, ..] => (0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b), a),
                [] => (255.0, 255),
            };
            *o = if alpha == 255 { y } else { over_white(y, alpha) };
        }
    }
}

fn over_white(y: f32, alpha: u8) -> f32 {
    let a = f32::from(alpha) / 255.0;
    y * a + 255.0 * (1.0 - a)
}

/// Resamples `region` of a `width × height` source, whose rows `row(y, out)` provides, to
/// `out_w × out_h` with a separable tent filter (half-width: one output step, at least one
/// source pixel), evaluated at pixel centres and normalised. Symmetric under mirroring.
pub(super) fn resample(
    row: impl Fn(usize, &mut [f32]),
    width: usize,
    height: usize,
    region: Region,
    out_w: usize,
    out_h: usize,
) -> Vec<f32> {
    let columns = taps(width, region.x0, region.x1, out_w);
    let rows = taps(height, region.y0, region.y1, out_h);
    let first = rows.iter().map(|t| t.start).min().unwrap_or(0);
    let last = rows.iter().map(|t| t.start + t.weights.len()).max().unwrap_or(0);
    // Horizontal pass over the source rows the vertical taps touch.
    let mut source = vec![0f32; width];
    let mut narrowed = vec![0f32; (last - first) * out_w];
    for y in first..last {
        row(y, &mut source);
        let out = &mut narrowed[(y - first) * out_w..(y - first + 1) * out_w];
        for (o, t) in out.iter_mut().zip(&columns) {
            *o = t.apply(&source[t.start..]);
        }
    }
    // Vertical pass.
    let mut pixels = vec![0f32; out_w * out_h];
    for (out_row, t) in pixels.chunks_exact_mut(out_w).zip(&rows) {
        for (i, &w) in t.weights.iter().enumerate() {
            let src = &narrowed[(t.start + i - first) * out_w..(t.start + i - first + 1) * out_w];
            for (o, s) in out_row.iter_mut().zip(src) {
                *o += w * s;
            }
        }
    }
    pixels
}

/// The source pixels and weights of one output sample.
struct Taps {
    start: usize,
    weights: Vec<f32>,
}

impl Taps {
    fn apply(&self, source: &[f32]) -> f32 {
        let mut sum = 0.0;
        for (w, s) in self.weights.iter().zip(source) {
            sum += w * s;
        }
        sum
    }
}

/// Tent taps for `out` samples spread evenly over `[lo, hi)` of a source `len` pixels long.
fn taps(len: usize, lo: f32, hi: f32, out: usize) -> Vec<Taps> {
    let step = (hi - lo) / out as f32;
    let half = step.max(1.0);
    (0..out)
        .map(|i| {
            let centre = lo + (i as f32 + 0.5) * step;
            let start = ((centre - half - 0.5).floor().max(0.0) as usize).min(len - 1);
            let end = ((centre + half - 0.5).ceil().max(0.0) as usize).min(len - 1);
            let mut weights: Vec<f32> =
                (start..=end).map(|x| (1.0 - (x as f32 + 0.5 - centre).abs() / half).max(0.0)).collect();
            let total: f32 = weights.iter().sum();
            if total > 0.0 {
                weights.iter_mut().for_each(|w| *w /= total);
                Taps { start, weights }
            } else {
                // Only when the region lies outside the source: the nearest pixel.
                Taps { start: (centre.max(0.0) as usize).min(len - 1), weights: vec![1.0] }
            }
        })
        .collect()
}
