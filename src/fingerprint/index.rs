//! The in-memory fingerprint index: every stored fingerprint in one flat array beside the record
//! it belongs to (40 bytes each), scanned in full by every query, split across the cores.
//!
//! Why a scan and not a tree or multi-index hashing: the match threshold is large for a 256-bit
//! hash (see [`super::set::THRESHOLD`]), where pigeonhole indexes visit most buckets anyway, and
//! clustered real-world data (near copies, series of shots) defeats them further. A scan costs
//! about the same on any data.
//!
//! The scan reads the first 128 bits of each stored hash first: their distance to a query hash
//! is a lower bound of the whole distance, and it exceeds the threshold for all but about one in
//! 10⁵ unrelated pairs (64 ± 5.7 bits against 40). Only the survivors' last 128 bits are read.
//! So the halves are stored apart, and a search streams 16 bytes per stored hash, in blocks that
//! stay in L1 while every query hash is compared with them.

use std::num::NonZeroUsize;
use std::thread;

use super::pdq::Pdq;

/// Memory per stored fingerprint: the 256-bit hash and the 64-bit record reference.
pub const BYTES_PER_FINGERPRINT: usize = size_of::<[u64; 4]>() + size_of::<u64>();
const _: () = assert!(BYTES_PER_FINGERPRINT <= 64);

/// Stored fingerprints compared with the query in one pass over a cache-resident block.
const BLOCK: usize = 256;

/// Below this many stored fingerprints a search runs on the calling thread (starting threads
/// would cost more than the scan).
const PARALLEL_FROM: usize = 1 << 16;

/// One matching record and its smallest distance to the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    pub record: u64,
    pub distance: u32,
}

/// Stored fingerprints and the records (e.g. arrival sequence numbers) they belong to.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Words 0–1 of each stored hash.
    front: Vec<[u64; 2]>,
    /// Words 2–3 of each stored hash.
    back: Vec<[u64; 2]>,
    records: Vec<u64>,
    threads: Option<NonZeroUsize>,
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    /// An index with room for `fingerprints` before it reallocates.
    pub fn with_capacity(fingerprints: usize) -> Index {
        Index {
            front: Vec::with_capacity(fingerprints),
            back: Vec::with_capacity(fingerprints),
            records: Vec::with_capacity(fingerprints),
            threads: None,
        }
    }

    /// Uses `threads` threads per search instead of one per core.
    pub fn with_threads(mut self, threads: NonZeroUsize) -> Index {
        self.threads = Some(threads);
        self
    }

    /// Stores the fingerprints of one record.
    pub fn add(&mut self, record: u64, fingerprints: &[Pdq]) {
        self.front.extend(fingerprints.iter().map(|f| [f.0[0], f.0[1]]));
        self.back.extend(fingerprints.iter().map(|f| [f.0[2], f.0[3]]));
        self.records.extend(std::iter::repeat_n(record, fingerprints.len()));
    }

    /// Forgets every fingerprint of `record` (an erasure); a full pass over the index.
    pub fn remove(&mut self, record: u64) {
        let mut keep = self.records.iter().map(|&r| r != record);
        self.front.retain(|_| keep.next().unwrap_or(true));
        let mut keep = self.records.iter().map(|&r| r != record);
        self.back.retain(|_| keep.next().unwrap_or(true));
        self.records.retain(|&r| r != record);
    }

    /// Number of stored fingerprints.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Bytes held by the stored fingerprints (capacity included).
    pub fn memory_bytes(&self) -> usize {
        (self.front.capacity() + self.back.capacity()) * size_of::<[u64; 2]>()
            + self.records.capacity() * size_of::<u64>()
    }

    /// Every record with a stored fingerprint within `threshold` bits of any query fingerprint,
    /// with its smallest distance, in increasing record order (the earliest registration first
    /// when records are arrival sequence numbers).
    pub fn search(&self, query: &[Pdq], threshold: u32) -> Vec<Match> {
        if query.is_empty() || self.is_empty() {
            return Vec::new();
        }
        let threads = if self.len() < PARALLEL_FROM {
            1
        } else {
            self.threads.or_else(|| thread::available_parallelism().ok()).map_or(1, NonZeroUsize::get)
        };
        let part = self.len().div_ceil(threads).next_multiple_of(BLOCK);
        let mut found: Vec<Match> = if threads == 1 {
            scan(Part { front: &self.front, back: &self.back, records: &self.records }, query, threshold)
        } else {
            thread::scope(|scope| {
                let parts = self.front.chunks(part).zip(self.back.chunks(part)).zip(self.records.chunks(part));
                let workers: Vec<_> = parts
                    .map(|((front, back), records)| {
                        scope.spawn(move || scan(Part { front, back, records }, query, threshold))
                    })
                    .collect();
                workers.into_iter().flat_map(|w| w.join().expect("a scan does not panic")).collect()
            })
        };
        found.sort_unstable_by_key(|m| (m.record, m.distance));
        found.dedup_by_key(|m| m.record);
        found
    }
}

/// A contiguous share of the index.
#[derive(Clone, Copy)]
struct Part<'a> {
    front: &'a [[u64; 2]],
    back: &'a [[u64; 2]],
    records: &'a [u64],
}

/// Scans a part block by block: the smallest front-half distance of each stored hash to any
/// query hash (a branch-free loop the compiler vectorises), then the whole distance of the rare
/// stored hashes whose bound is within the threshold.
fn scan(part: Part<'_>, query: &[Pdq], threshold: u32) -> Vec<Match> {
    let mut found = Vec::new();
    let mut bound = [0u32; BLOCK];
    for (start, front) in (0..).step_by(BLOCK).zip(part.front.chunks(BLOCK)) {
        let bound = &mut bound[..front.len()];
        bound.fill(u32::MAX);
        for q in query {
            let (q0, q1) = (q.0[0], q.0[1]);
            for (b, f) in bound.iter_mut().zip(front) {
                *b = (*b).min((f[0] ^ q0).count_ones() + (f[1] ^ q1).count_ones());
            }
        }
        if bound.iter().all(|&d| d > threshold) {
            continue;
        }
        for (i, _) in bound.iter().enumerate().filter(|&(_, &d)| d <= threshold) {
            let (f, b) = (part.front[start + i], part.back[start + i]);
            let stored = Pdq([f[0], f[1], b[0], b[1]]);
            let distance = query.iter().map(|q| q.distance(&stored)).min().unwrap_or(u32::MAX);
            if distance <= threshold {
                found.push(Match { record: part.records[start + i], distance });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random hash.
    fn hash(seed: u64) -> Pdq {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        Pdq([0; 4].map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }))
    }

    fn flip(mut h: Pdq, bits: &[usize]) -> Pdq {
        for &b in bits {
            h.0[b / 64] ^= 1 << (b % 64);
        }
        h
    }

    #[test]
    fn a_stored_fingerprint_fits_in_64_bytes() {
        assert_eq!(BYTES_PER_FINGERPRINT, 40);
        let mut index = Index::with_capacity(1000);
        for r in 0..1000 {
            index.add(r, &[hash(r)]);
        }
        assert_eq!(index.memory_bytes(), 1000 * BYTES_PER_FINGERPRINT);
    }

    #[test]
    fn finds_records_within_the_threshold_with_their_best_distance_in_record_order() {
        let mut index = Index::new();
        let target = hash(7);
        index.add(30, &[hash(1), flip(target, &[0, 1, 2, 3, 4])]);
        index.add(10, &[flip(target, &(0..40).collect::<Vec<_>>()), flip(target, &[9, 99])]);
        index.add(20, &[hash(2), hash(3)]);
        index.add(40, &[flip(target, &(0..41).collect::<Vec<_>>())]);
        let found = index.search(&[hash(5), target], 40);
        assert_eq!(found, vec![Match { record: 10, distance: 2 }, Match { record: 30, distance: 5 }]);
        assert_eq!(index.search(&[target], 41).len(), 3, "the threshold is inclusive");
        assert!(index.search(&[], 256).is_empty());
    }

    #[test]
    fn a_parallel_search_equals_a_sequential_one_and_a_plain_scan() {
        let mut index = Index::with_capacity(200_000);
        let centre = hash(1);
        for r in 0..200_000u64 {
            let h = if r % 1000 == 0 { flip(centre, &[(r / 1000) as usize % 256, 3, 200]) } else { hash(r + 10) };
            index.add(r / 2, &[h]);
        }
        let query = [centre, hash(u64::MAX)];
        let plain: Vec<u64> = (0..index.len())
            .filter(|&i| {
                let stored = Pdq([index.front[i][0], index.front[i][1], index.back[i][0], index.back[i][1]]);
                query.iter().any(|q| stored.distance(q) <= 60)
            })
            .map(|i| index.records[i])
            .collect();
        let two = index.clone().with_threads(NonZeroUsize::new(2).expect("2")).search(&query, 60);
        let one = index.clone().with_threads(NonZeroUsize::new(1).expect("1")).search(&query, 60);
        assert_eq!(two, one);
        assert_eq!(two.iter().map(|m| m.record).collect::<Vec<_>>(), plain);
        assert_eq!(two.len(), 200);
    }

    #[test]
    fn removing_a_record_forgets_all_its_fingerprints() {
        let mut index = Index::new();
        index.add(1, &[hash(1), hash(2)]);
        index.add(2, &[hash(3)]);
        index.remove(1);
        assert_eq!(index.len(), 1);
        assert!(index.search(&[hash(1), hash(2)], 0).is_empty());
        assert_eq!(index.search(&[hash(3)], 0), vec![Match { record: 2, distance: 0 }]);
    }
}
