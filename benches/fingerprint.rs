//! `cargo bench --bench fingerprint`: image fingerprints.
//!
//! - search: the index over 1 M and 10 M stored fingerprints of clustered synthetic data (series
//!   of near-duplicate registrations around shared centres, 12 fingerprints per registration),
//!   with a query of 4 fingerprints as `set::for_query` makes; beside a plain one-core scan of
//!   the same data (the same-run baseline) and the index held to one thread.
//! - a 12-megapixel JPEG (4000 × 3000, photo-like synthetic content): decoding, the stored and
//!   query fingerprints, the thumbnail.

use std::num::NonZeroUsize;
use std::sync::LazyLock;

use divan::{Bencher, black_box};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, RgbImage};
use notarium::fingerprint::decode::decode;
use notarium::fingerprint::index::Index;
use notarium::fingerprint::pdq::Pdq;
use notarium::fingerprint::set::{self, THRESHOLD};
use notarium::fingerprint::thumbnail::thumbnail_jpeg;

fn main() {
    divan::main();
}

/// Fingerprints per registration, as `set::for_registration` stores.
const PER_RECORD: usize = 12;

/// Registrations per cluster: a merchant's series of near-identical product shots.
const CLUSTER: usize = 40;

/// A tiny deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn hash(&mut self) -> [u64; 4] {
        [self.next(), self.next(), self.next(), self.next()]
    }

    /// `h` with `bits` random bits flipped (some may coincide).
    fn near(&mut self, mut h: [u64; 4], bits: u64) -> [u64; 4] {
        for _ in 0..bits {
            let b = self.next() % 256;
            h[(b / 64) as usize] ^= 1 << (b % 64);
        }
        h
    }
}

/// Stored data: per cluster a random centre; per registration a variant of it 0–60 bits away;
/// per fingerprint a further 0–40 bits away (its crops).
struct Data {
    hashes: Vec<[u64; 4]>,
    records: Vec<u64>,
    index: Index,
    query: Vec<Pdq>,
}

fn clustered(fingerprints: usize) -> Data {
    let mut rng = Rng(0x5eed);
    let (mut hashes, mut records) = (Vec::with_capacity(fingerprints), Vec::with_capacity(fingerprints));
    let mut centres = Vec::new();
    let mut record = 0u64;
    while hashes.len() < fingerprints {
        let centre = rng.hash();
        centres.push(centre);
        for _ in 0..CLUSTER {
            let bits = rng.next() % 61;
            let image = rng.near(centre, bits);
            for _ in 0..PER_RECORD {
                if hashes.len() < fingerprints {
                    let bits = rng.next() % 41;
                    let h = rng.near(image, bits);
                    hashes.push(h);
                    records.push(record);
                }
            }
            record += 1;
        }
    }
    let mut index = Index::with_capacity(fingerprints);
    for (h, r) in hashes.iter().zip(&records) {
        index.add(*r, &[Pdq(*h)]);
    }
    // A query near one centre: whole, core and their mirrors (the mirrors far from everything).
    let target = centres[centres.len() / 2];
    let query = vec![rng.near(target, 10), rng.near(target, 20), rng.hash(), rng.hash()];
    Data { hashes, records, index, query: query.into_iter().map(Pdq).collect() }
}

static ONE_MILLION: LazyLock<Data> = LazyLock::new(|| clustered(1_000_000));
static TEN_MILLION: LazyLock<Data> = LazyLock::new(|| clustered(10_000_000));

/// The same-run baseline: a plain scan on one core, one fingerprint at a time.
fn plain_scan(data: &Data) -> Vec<u64> {
    let mut found: Vec<u64> = data
        .hashes
        .iter()
        .zip(&data.records)
        .filter(|(h, _)| data.query.iter().any(|q| Pdq(**h).distance(q) <= THRESHOLD))
        .map(|(_, &r)| r)
        .collect();
    found.dedup();
    found
}

mod search {
    use super::*;

    /// Stored fingerprints.
    const SIZES: [usize; 2] = [1_000_000, 10_000_000];

    fn data(size: usize) -> &'static Data {
        if size == 1_000_000 { &ONE_MILLION } else { &TEN_MILLION }
    }

    /// The same-run baseline.
    #[divan::bench(args = SIZES, sample_count = 10)]
    fn baseline_plain_scan_one_core(b: Bencher, size: usize) {
        let data = data(size);
        b.bench(|| plain_scan(black_box(data)));
    }

    #[divan::bench(args = SIZES, sample_count = 10)]
    fn index_one_thread(b: Bencher, size: usize) {
        let data = data(size);
        let index = data.index.clone().with_threads(NonZeroUsize::MIN);
        b.bench(|| index.search(black_box(&data.query), THRESHOLD));
    }

    #[divan::bench(args = SIZES, sample_count = 10)]
    fn index_every_core(b: Bencher, size: usize) {
        let data = data(size);
        let found: Vec<u64> = data.index.search(&data.query, THRESHOLD).iter().map(|m| m.record).collect();
        assert_eq!(found, plain_scan(data), "the index finds what a plain scan finds");
        b.bench(|| data.index.search(black_box(&data.query), THRESHOLD));
    }
}

/// A 4000 × 3000 JPEG (quality 90) of photo-like content: smooth shapes, texture and grain.
static TWELVE_MP_JPEG: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut rng = Rng(7);
    let image = RgbImage::from_fn(4000, 3000, |x, y| {
        let (u, v) = (x as f32 / 4000.0, y as f32 / 3000.0);
        let shape = ((u * 7.0).sin() * (v * 5.0).cos() + (u * v * 40.0).sin()) * 60.0;
        let texture = ((x as f32 * 0.21).sin() + (y as f32 * 0.17).cos()) * 12.0;
        let grain = (rng.next() % 17) as f32 - 8.0;
        let l = 128.0 + shape + texture + grain;
        image::Rgb([
            l.clamp(0.0, 255.0) as u8,
            (l * 0.8 + 30.0).clamp(0.0, 255.0) as u8,
            (255.0 - l).clamp(0.0, 255.0) as u8,
        ])
    });
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 90).encode_image(&image).expect("encode");
    bytes
});

static TWELVE_MP: LazyLock<DynamicImage> = LazyLock::new(|| decode(&TWELVE_MP_JPEG).expect("decodes").image);

mod twelve_megapixels {
    use super::*;

    #[divan::bench(sample_count = 10)]
    fn decode_jpeg(b: Bencher) {
        let bytes = &*TWELVE_MP_JPEG;
        b.bench(|| decode(black_box(bytes)).expect("decodes"));
    }

    #[divan::bench(sample_count = 10)]
    fn fingerprints_for_registration(b: Bencher) {
        let image = &*TWELVE_MP;
        b.bench(|| set::for_registration(black_box(image)));
    }

    #[divan::bench(sample_count = 10)]
    fn fingerprints_for_query(b: Bencher) {
        let image = &*TWELVE_MP;
        b.bench(|| set::for_query(black_box(image)));
    }

    #[divan::bench(sample_count = 10)]
    fn thumbnail(b: Bencher) {
        let image = &*TWELVE_MP;
        b.bench(|| thumbnail_jpeg(black_box(image)));
    }
}
