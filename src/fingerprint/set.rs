//! The fingerprints kept per registered image and computed per query (algorithm
//! [`ALGORITHM`]), and the distance under which two of them match ([`THRESHOLD`]).
//!
//! One whole-image PDQ hash moves 32–90 bits when 3 % is cut from each side and up to 50 bits
//! under a corner logo (measured on the quality test's images), while distinct images sit 58 bits
//! apart or more (issue 7's measurement on varied public images; 104 among the test's images).
//! So a registration stores the hashes of nested centre crops, and a query hashes
//! its centre core as well as the whole:
//!
//! - stored: centre crops cutting 0 %, 1 %, … 10 % of each side ([`STORED_CROPS`]): a copy
//!   cropped by up to 10 % a side is within half a percent of one of them; and the 20 % core;
//! - query: the whole image and its 20 % core ([`QUERY_CROPS`]), each also mirrored (from the
//!   same DCT, [`Dct::mirrored`]): a logo in a corner lies outside the core, so the query's core
//!   meets the stored core; mirroring on the query side keeps the index half as large.
//!
//! A query matches a registration when any query hash is within [`THRESHOLD`] bits of any
//! stored hash. Cost: 12 stored hashes (480 bytes in the index) per registered image, 4 hashes
//! per query.

use image::DynamicImage;

use super::pdq::{Dct, Pdq, Plane, Region};

/// Names the fingerprint algorithm and its parameters; stored beside fingerprints, so that a
/// later change of algorithm can tell which ones to recompute.
pub const ALGORITHM: &str = "pdq-multi/1";

/// Largest Hamming distance (of 256 bits) at which a query hash matches a stored one.
///
/// On the quality test's 25 images, true matches (re-encoding, resizing, grayscale, brightness,
/// mirror, crops on and between the stored crops, corner logos) measured at most 18 bits and
/// distinct images at least 84; distinct images were measured 58 bits apart at the closest on
/// a wider public set. 40 leaves margin for combined edits on one side and for look-alike
/// images on the other; Meta advises 31 for a single PDQ hash, which our crops make unnecessary.
pub const THRESHOLD: u32 = 40;

/// PDQ quality below which an image is too flat for its hashes to mean anything (PDQ's own
/// advice): such an image should be found by its content hash only.
pub const MIN_QUALITY: u8 = 50;

/// Fractions of the width and of the height cut from each side for the stored hashes.
pub const STORED_CROPS: [f32; 12] = [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, CORE];

/// Fractions cut from each side for the query's hashes (each also mirrored).
pub const QUERY_CROPS: [f32; 2] = [0.0, CORE];

/// The core: the centre with 20 % of each side cut, free of any corner box of up to 2 % of the
/// area (at most 14.2 % of a side) placed up to 5 % from the edges.
const CORE: f32 = 0.20;

/// Fingerprints of one image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprints {
    pub hashes: Vec<Pdq>,
    /// PDQ quality (0–100) of the whole image.
    pub quality: u8,
}

impl Fingerprints {
    /// Whether the image has enough detail for its fingerprints to be stored and searched.
    pub fn is_reliable(&self) -> bool {
        self.quality >= MIN_QUALITY
    }
}

/// The hashes stored for a registered image, in [`STORED_CROPS`] order.
pub fn for_registration(image: &DynamicImage) -> Fingerprints {
    let plane = Plane::of_image(image);
    let (hashes, quality) = crops(&plane, &STORED_CROPS);
    Fingerprints { hashes: hashes.iter().map(Dct::hash).collect(), quality }
}

/// The hashes of a query: each of [`QUERY_CROPS`], then each of them mirrored.
pub fn for_query(image: &DynamicImage) -> Fingerprints {
    let plane = Plane::of_image(image);
    let (dcts, quality) = crops(&plane, &QUERY_CROPS);
    let hashes = dcts.iter().map(Dct::hash).chain(dcts.iter().map(|d| d.mirrored().hash())).collect();
    Fingerprints { hashes, quality }
}

/// The smallest distance between any query hash and any stored hash.
pub fn distance(query: &Fingerprints, stored: &Fingerprints) -> u32 {
    let pairs = query.hashes.iter().flat_map(|q| stored.hashes.iter().map(move |s| q.distance(s)));
    pairs.min().unwrap_or(super::pdq::BITS)
}

/// The DCTs of centred crops, and the quality of the first (the whole image when it cuts 0).
fn crops(plane: &Plane, fractions: &[f32]) -> (Vec<Dct>, u8) {
    let mut quality = 0;
    let dcts = fractions
        .iter()
        .enumerate()
        .map(|(i, &f)| {
            let (dct, q) = plane.dct(Region::centre(plane, f));
            if i == 0 {
                quality = q;
            }
            dct
        })
        .collect();
    (dcts, quality)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::pdq::tests::picture;
    use image::{GrayImage, imageops};

    #[test]
    fn a_registration_stores_12_hashes_and_a_query_4() {
        let image = DynamicImage::ImageRgb8(picture(1, 400, 300));
        assert_eq!(for_registration(&image).hashes.len(), 12);
        assert_eq!(for_query(&image).hashes.len(), 4);
    }

    #[test]
    fn an_image_matches_itself_its_mirror_and_its_crop_but_not_another() {
        let rgb = picture(2, 500, 400);
        let stored = for_registration(&DynamicImage::ImageRgb8(rgb.clone()));
        let same = for_query(&DynamicImage::ImageRgb8(rgb.clone()));
        assert_eq!(distance(&same, &stored), 0);
        let mirror = for_query(&DynamicImage::ImageRgb8(imageops::flip_horizontal(&rgb)));
        assert!(distance(&mirror, &stored) <= 2);
        let cropped = imageops::crop_imm(&rgb, 20, 16, 460, 368).to_image();
        assert!(distance(&for_query(&DynamicImage::ImageRgb8(cropped)), &stored) <= THRESHOLD);
        let other = for_query(&DynamicImage::ImageRgb8(picture(9, 500, 400)));
        assert!(distance(&other, &stored) > THRESHOLD);
    }

    #[test]
    fn a_flat_image_is_not_reliable() {
        let flat = DynamicImage::ImageLuma8(GrayImage::from_pixel(300, 200, image::Luma([200])));
        assert!(!for_registration(&flat).is_reliable());
        assert!(for_registration(&DynamicImage::ImageRgb8(picture(3, 300, 200))).quality > 0);
    }
}
