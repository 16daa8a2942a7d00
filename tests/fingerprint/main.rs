//! Fingerprint quality on real photographs: 25 distinct sample images shipped by Debian's
//! `opencv-doc` package (OpenCV's sample data: landscapes, animals, food, buildings, people,
//! objects, a painting, text on paper). Each is registered; each of the issue's variants is
//! searched for and must find its original (recall ≥ 95 % overall) and never another image.
//! The distance distributions of matching and non-matching pairs are printed
//! (`cargo test --test fingerprint -- --nocapture`).

#[path = "../support/mod.rs"]
mod support;
mod variants;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use notarium::fingerprint::decode::decode;
use notarium::fingerprint::index::Index;
use notarium::fingerprint::set::{self, THRESHOLD};

use crate::support::programs::cannot_run;

/// Where `opencv-doc` installs its sample data.
const SAMPLES: &str = "/usr/share/doc/opencv-doc/examples";

/// Distinct scenes (of stereo pairs and sequences, one frame only), relative to [`SAMPLES`].
const IMAGES: [&str; 25] = [
    "data/aero1.jpg",
    "data/aloeL.jpg",
    "data/apple.jpg",
    "data/baboon.jpg",
    "data/basketball1.png",
    "data/board.jpg",
    "data/box_in_scene.png",
    "data/building.jpg",
    "data/butterfly.jpg",
    "data/chicky_512.png",
    "data/ela_original.jpg",
    "data/fruits.jpg",
    "data/graf1.png",
    "data/home.jpg",
    "data/leuvenA.jpg",
    "data/licenseplate_motion.jpg",
    "data/messi5.jpg",
    "data/orange.jpg",
    "data/rubberwhale1.png",
    "data/smarties.png",
    "data/squirrel_cls.jpg",
    "data/starry_night.jpg",
    "data/stuff.jpg",
    "data/sudoku.png",
    "alphamat/input_images/plant.jpg",
];

#[test]
fn variants_find_their_original_and_nothing_else() {
    let Some(paths) = sample_images() else { return };
    // Registration and queries run on every core: the PDQ code is unoptimised in test builds.
    let originals = on_every_core(paths.len(), |i| {
        let path = &paths[i];
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let decoded = decode(&bytes).unwrap_or_else(|e| panic!("decoding {}: {e}", path.display()));
        let stored = set::for_registration(&decoded.image);
        assert!(stored.is_reliable(), "{}: quality {}", path.display(), stored.quality);
        (decoded, stored)
    });
    let mut index = Index::new();
    for (i, (_, stored)) in originals.iter().enumerate() {
        index.add(i as u64, &stored.hashes);
    }

    let searches = on_every_core(originals.len(), |i| {
        let (decoded, stored) = &originals[i];
        let mut results = Vec::new();
        let variants =
            variants::NAMES.iter().map(|v| (Kind::Issue, *v)).chain(variants::EXTRA.iter().map(|v| (Kind::Extra, *v)));
        for (kind, variant) in variants {
            let bytes = variants::make(variant, &decoded.image, decoded.format, i);
            let query = set::for_query(&decode(&bytes).expect("a variant decodes").image);
            let found: Vec<u64> = index.search(&query.hashes, THRESHOLD).iter().map(|m| m.record).collect();
            let others: Vec<u32> = originals
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, (_, other))| set::distance(&query, other))
                .collect();
            results.push((kind, variant, found, set::distance(&query, stored), others));
        }
        // The unmodified original as a query.
        let found: Vec<u64> =
            index.search(&set::for_query(&decoded.image).hashes, THRESHOLD).iter().map(|m| m.record).collect();
        (results, found)
    });

    let mut report = Report::default();
    for (i, (results, itself)) in searches.into_iter().enumerate() {
        let name = IMAGES[i];
        assert_eq!(itself, vec![i as u64], "{name} as its own query");
        for (kind, variant, found, distance, others) in results {
            let wrong: Vec<&str> = found.iter().filter(|&&r| r != i as u64).map(|&r| IMAGES[r as usize]).collect();
            assert!(wrong.is_empty(), "{variant} of {name} found other images: {wrong:?}");
            report.add(kind, variant, name, found.contains(&(i as u64)), distance);
            report.non_matching.extend(others);
        }
    }

    report.print();
    let recall = report.recall(Kind::Issue);
    assert!(recall >= 0.95, "recall {:.1} % is below 95 %", recall * 100.0);
    assert!(report.non_matching.iter().all(|&d| d > THRESHOLD));
}

/// `work(0..n)` on every core, results in order.
fn on_every_core<T: Send>(n: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return mine;
                        }
                        mine.push((i, work(i)));
                    }
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("a worker panicked")).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// The sample images, or `None` (with what to install) when they are missing outside CI.
fn sample_images() -> Option<Vec<PathBuf>> {
    let paths: Vec<PathBuf> = IMAGES.iter().map(|p| Path::new(SAMPLES).join(p)).collect();
    let missing: Vec<&PathBuf> = paths.iter().filter(|p| !p.is_file()).collect();
    if missing.is_empty() {
        return Some(paths);
    }
    let advice = format!(
        "{} of the {} sample images are missing (first: {}); they come with Debian's opencv-doc package: \
         `apt-get install --no-install-recommends opencv-doc`",
        missing.len(),
        paths.len(),
        missing[0].display()
    );
    cannot_run(&format!("fingerprint quality test: {advice}"));
    None
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A variant the issue lists: counted in the recall.
    Issue,
    /// A crop between the stored ones: reported only.
    Extra,
}

#[derive(Default)]
struct Report {
    /// (kind, variant, image, found, distance to its original)
    matching: Vec<(Kind, &'static str, &'static str, bool, u32)>,
    /// Distances from each variant to every other original.
    non_matching: Vec<u32>,
}

impl Report {
    fn add(&mut self, kind: Kind, variant: &'static str, image: &'static str, found: bool, distance: u32) {
        self.matching.push((kind, variant, image, found, distance));
    }

    fn recall(&self, kind: Kind) -> f64 {
        let of_kind: Vec<_> = self.matching.iter().filter(|m| m.0 == kind).collect();
        of_kind.iter().filter(|m| m.3).count() as f64 / of_kind.len() as f64
    }

    fn print(&self) {
        println!("threshold {THRESHOLD} bits of 256; {} images", IMAGES.len());
        println!("{:<14} {:>7}  distance to the original: min p50 p90 max", "variant", "found");
        let names = variants::NAMES.iter().chain(variants::EXTRA.iter());
        for variant in names {
            let rows: Vec<_> = self.matching.iter().filter(|m| m.1 == *variant).collect();
            let found = rows.iter().filter(|m| m.3).count();
            let d: Vec<u32> = rows.iter().map(|m| m.4).collect();
            println!("{variant:<14} {found:>3}/{:<3}  {}", rows.len(), Summary::of(d));
            for miss in rows.iter().filter(|m| !m.3) {
                println!("    missed: {} at {} bits", miss.2, miss.4);
            }
        }
        let issue: Vec<u32> = self.matching.iter().filter(|m| m.0 == Kind::Issue).map(|m| m.4).collect();
        println!("recall (the issue's variants): {:.1} %", self.recall(Kind::Issue) * 100.0);
        println!("recall (crops between the stored ones): {:.1} %", self.recall(Kind::Extra) * 100.0);
        println!("matching pairs     ({:>5}): min p1 p5 p50 p95 p99 max = {}", issue.len(), Summary::of(issue).wide());
        let non = self.non_matching.clone();
        println!("non-matching pairs ({:>5}): min p1 p5 p50 p95 p99 max = {}", non.len(), Summary::of(non).wide());
    }
}

/// Order statistics of distances.
struct Summary(Vec<u32>);

impl Summary {
    fn of(mut distances: Vec<u32>) -> Summary {
        distances.sort_unstable();
        Summary(distances)
    }

    fn at(&self, fraction: f64) -> u32 {
        self.0[((self.0.len() - 1) as f64 * fraction).round() as usize]
    }

    fn wide(&self) -> String {
        let points = [0.0, 0.01, 0.05, 0.5, 0.95, 0.99, 1.0];
        points.map(|p| self.at(p).to_string()).join(" ")
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:>3} {:>3} {:>3} {:>3}", self.at(0.0), self.at(0.5), self.at(0.9), self.at(1.0))
    }
}
