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
//! So each 64-bit word of the hashes has its own array, and a search streams 16 bytes per stored
//! hash, in blocks that stay in L1 while every query hash is compared with them. The population
//! count is written out (SWAR, both words summed before the byte sums): the default x86-64 target
//! has no POPCNT instruction, and this form measured 12 % faster than `count_ones`. A build for a
//! CPU level with POPCNT (`-C target-cpu=x86-64-v2`) uses the instruction instead: in a kernel
//! comparison, 1 M stored × 4 query hashes on one core took 8.7 ms written out and 6.0 ms with it.

use std::num::NonZeroUsize;
use std::sync::LazyLock;
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

/// Threads per search unless [`Index::with_threads`] says otherwise: one per core.
static CORES: LazyLock<usize> = LazyLock::new(|| thread::available_parallelism().map_or(1, NonZeroUsize::get));

/// One matching record and its smallest distance to the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    pub record: u64,
    pub distance: u32,
}

/// Stored fingerprints and the records (e.g. arrival sequence numbers) they belong to.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Word `w` of every stored hash.
    words: [Vec<u64>; 4],
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
            words: [(); 4].map(|_| Vec::with_capacity(fingerprints)),
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
        for (w, words) in self.words.iter_mut().enumerate() {
            words.extend(fingerprints.iter().map(|f| f.0[w]));
        }
        self.records.extend(std::iter::repeat_n(record, fingerprints.len()));
    }

    /// Forgets every fingerprint of `record` (an erasure); a full pass over the index.
    pub fn remove(&mut self, record: u64) {
        for words in &mut self.words {
            let mut keep = self.records.iter().map(|&r| r != record);
            words.retain(|_| keep.next().unwrap_or(true));
        }
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
        (self.words.iter().map(Vec::capacity).sum::<usize>() + self.records.capacity()) * size_of::<u64>()
    }

    /// Every record with a stored fingerprint within `threshold` bits of any query fingerprint,
    /// with its smallest distance, in increasing record order (the earliest registration first
    /// when records are arrival sequence numbers).
    pub fn search(&self, query: &[Pdq], threshold: u32) -> Vec<Match> {
        if query.is_empty() || self.is_empty() {
            return Vec::new();
        }
        let threads = if self.len() < PARALLEL_FROM { 1 } else { self.threads.map_or(*CORES, NonZeroUsize::get) };
        let part = self.len().div_ceil(threads).next_multiple_of(BLOCK);
        let mut found: Vec<Match> = if threads == 1 {
            scan(self.part(0..self.len()), query, threshold)
        } else {
            thread::scope(|scope| {
                let workers: Vec<_> = (0..self.len())
                    .step_by(part)
                    .map(|start| self.part(start..(start + part).min(self.len())))
                    .map(|share| scope.spawn(move || scan(share, query, threshold)))
                    .collect();
                workers.into_iter().flat_map(|w| w.join().expect("a scan does not panic")).collect()
            })
        };
        found.sort_unstable_by_key(|m| (m.record, m.distance));
        found.dedup_by_key(|m| m.record);
        found
    }

    fn part(&self, range: std::ops::Range<usize>) -> Part<'_> {
        Part { words: self.words.each_ref().map(|w| &w[range.clone()]), records: &self.records[range] }
    }
}

/// A contiguous share of the index.
#[derive(Clone, Copy)]
struct Part<'a> {
    words: [&'a [u64]; 4],
    records: &'a [u64],
}

/// Scans a part block by block: whether the first half of each stored hash is within the
/// threshold of the first half of any query hash (a branch-free loop over a block in L1), then
/// the whole distance of the rare stored hashes for which it is.
fn scan(part: Part<'_>, query: &[Pdq], threshold: u32) -> Vec<Match> {
    let mut found = Vec::new();
    let mut near = [0u64; BLOCK];
    let [w0, w1, w2, w3] = part.words;
    for (start, (w0, w1)) in (0..).step_by(BLOCK).zip(w0.chunks(BLOCK).zip(w1.chunks(BLOCK))) {
        let near = &mut near[..w0.len()];
        near.fill(0);
        for q in query {
            let (q0, q1) = (q.0[0], q.0[1]);
            for ((n, a), b) in near.iter_mut().zip(w0).zip(w1) {
                *n |= u64::from(popcount_pair(a ^ q0, b ^ q1) <= u64::from(threshold));
            }
        }
        if near.iter().all(|&n| n == 0) {
            continue;
        }
        for i in near.iter().enumerate().filter(|&(_, &n)| n != 0).map(|(i, _)| start + i) {
            let stored = Pdq([w0[i - start], w1[i - start], w2[i], w3[i]]);
            let distance = query.iter().map(|q| q.distance(&stored)).min().unwrap_or(u32::MAX);
            if distance <= threshold {
                found.push(Match { record: part.records[i], distance });
            }
        }
    }
    found
}

/// The number of set bits in `a` and `b` together: the POPCNT instruction when the build
/// targets it (e.g. `-C target-cpu=x86-64-v2`), else written out.
#[inline(always)]
fn popcount_pair(a: u64, b: u64) -> u64 {
    if cfg!(target_feature = "popcnt") {
        return u64::from(a.count_ones() + b.count_ones());
    }
    const ONES: u64 = 0x5555_5555_5555_5555;
    const TWOS: u64 = 0x3333_3333_3333_3333;
    const NIBBLES: u64 = 0x0f0f_0f0f_0f0f_0f0f;
    let a = a - ((a >> 1) & ONES);
    let b = b - ((b >> 1) & ONES);
    // Counts per nibble, at most 4 each: the two words add without overflow.
    let sum = (a & TWOS) + ((a >> 2) & TWOS) + (b & TWOS) + ((b >> 2) & TWOS);
    let bytes = (sum & NIBBLES) + ((sum >> 4) & NIBBLES);
    let s = bytes + (bytes >> 8);
    let s = s + (s >> 16);
    (s + (s >> 32)) & 0xff
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
                let stored = Pdq(index.words.each_ref().map(|w| w[i]));
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
    fn the_written_out_popcount_counts_both_words() {
        for (a, b) in [(0, 0), (u64::MAX, u64::MAX), (1, 1 << 63), (0xf0f0, 0x0123_4567_89ab_cdef)] {
            assert_eq!(popcount_pair(a, b), u64::from(a.count_ones() + b.count_ones()));
        }
        let mut x = 12345u64;
        for _ in 0..1000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let y = x.rotate_left(29) ^ 0x9e37_79b9;
            assert_eq!(popcount_pair(x, y), u64::from(x.count_ones() + y.count_ones()));
        }
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
