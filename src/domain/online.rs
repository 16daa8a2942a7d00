//! The online checks of a receipt (docs/formats.md §8, checks 10 and 11), as pure rules: the
//! walk of the service's headers from the receipt's block to its anchored head, and the
//! verdict on that head. The fetching lives outside the domain (`service::online`); it feeds
//! the pages it gets to a [`Walk`] and hands the outcome to `verify::verify`.

use super::header::BlockHeader;
use super::hex32::Hash;
use super::receipt::Cosignature;

/// The most headers one page may hold (the paging route's limit).
pub const MAX_PAGE: u64 = 1000;

/// One header as the service pages it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagedHeader {
    pub height: u64,
    /// The exact header text.
    pub header: String,
    /// What the service says the header hashes to (checked, never trusted).
    pub block_hash: Hash,
}

/// The newest header the service says is anchored, with its co-signatures.
#[derive(Debug, Clone)]
pub struct Head {
    pub header: String,
    pub cosignatures: Vec<Cosignature>,
}

/// What the online head check found, for `verify::VerifyInput::online_head`.
#[derive(Debug, Clone)]
pub enum OnlineHead {
    /// No usable answer: unreachable, an error status, an answer too large or not of the
    /// route's shape, or no anchored block at all.
    Unavailable(String),
    /// The head and how the walk to it ended.
    Walked { head: Head, walk: WalkOutcome },
}

/// How a walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkOutcome {
    /// Every header from the receipt's block to the head links to the one before, and the last
    /// is byte for byte the head.
    Linked { from: u64, to: u64 },
    /// `checked` headers after the receipt's block linked, and the cap stopped the walk
    /// before the head.
    NotBeyond { checked: u64, head_height: u64 },
    /// The headers do not link the receipt's block to the head, or a page broke the rules.
    Broken(String),
}

/// The walk from the receipt's block to the head, one page at a time: [`Walk::want`] says which
/// page to fetch next, [`Walk::feed`] checks it. It holds one hash, whatever the distance.
#[derive(Debug, Clone)]
pub struct Walk {
    start: u64,
    /// The last linked header's height and hash.
    height: u64,
    hash: Hash,
    log: super::names::LogName,
    head_height: u64,
    head_hash: Hash,
    /// The last height the cap lets the walk reach.
    stop: u64,
    broken: Option<String>,
}

impl Walk {
    /// A walk from `receipt_header` (as the receipt carries it) to `head` (as the service
    /// serves it), checking at most `max_headers` headers after the receipt's block.
    pub fn new(receipt_header: &str, head: &str, max_headers: u64) -> Result<Self, String> {
        let start =
            BlockHeader::parse(receipt_header).map_err(|e| format!("the receipt's header does not parse: {e}"))?;
        let end = BlockHeader::parse(head).map_err(|e| format!("the service's newest header does not parse: {e}"))?;
        if end.log != start.log {
            return Err(format!("the service's newest header is of log {}, the receipt's of {}", end.log, start.log));
        }
        if end.height < start.height {
            return Err(format!(
                "the service's newest anchored block is at height {}, below the receipt's block at {}: its history was cut back",
                end.height, start.height
            ));
        }
        let hash = Hash::of(receipt_header.as_bytes());
        let head_hash = Hash::of(head.as_bytes());
        if end.height == start.height && head_hash != hash {
            return Err(format!("the service's newest header, at height {}, is not the receipt's", end.height));
        }
        let stop = end.height.min(start.height.saturating_add(max_headers));
        Ok(Self {
            start: start.height,
            height: start.height,
            hash,
            log: start.log,
            head_height: end.height,
            head_hash,
            stop,
            broken: None,
        })
    }

    /// The next page to fetch, `(from, limit)`; `None` when the walk is over.
    pub fn want(&self) -> Option<(u64, u64)> {
        if self.broken.is_some() || self.height >= self.stop {
            return None;
        }
        Some((self.height + 1, (self.stop - self.height).min(MAX_PAGE)))
    }

    /// Checks the page fetched for [`Walk::want`]: consecutive heights from `from`, exactly
    /// `limit` of them, each header well formed, of the log, hashing to its `block_hash`, and
    /// naming the one before as `prev`. Headers past the head are ignored (not anchored yet).
    pub fn feed(&mut self, page: &[PagedHeader]) {
        let Some((from, limit)) = self.want() else { return };
        if let Err(e) = self.check_page(page, from, limit) {
            self.broken = Some(e);
        }
    }

    fn check_page(&mut self, page: &[PagedHeader], from: u64, limit: u64) -> Result<(), String> {
        if page.len() as u64 > limit {
            return Err(format!("asked for {limit} headers from height {from}, the service sent {}", page.len()));
        }
        // Every height asked is at most the head's, so an honest service has them all: a short
        // page (which would make the walk take one request per header) is refused.
        if (page.len() as u64) < limit {
            return Err(format!(
                "asked for {limit} headers from height {from}, the service sent only {}, though its newest anchored block is at {}",
                page.len(),
                self.head_height
            ));
        }
        for p in page {
            let expected = self.height + 1;
            if p.height != expected {
                return Err(format!("asked for height {expected}, the service sent height {}", p.height));
            }
            let header = BlockHeader::parse(&p.header).map_err(|e| format!("the header at height {expected}: {e}"))?;
            let hash = Hash::of(p.header.as_bytes());
            if header.height != expected || header.log != self.log || hash != p.block_hash {
                return Err(format!(
                    "the header sent for height {expected} is of {} height {} and hashes to {hash}, not to the {} sent with it",
                    header.log, header.height, p.block_hash
                ));
            }
            if header.prev != self.hash {
                return Err(format!(
                    "the header at height {expected} names prev {}, but the block at height {} hashes to {}: the service's history does not link to this block",
                    header.prev, self.height, self.hash
                ));
            }
            if expected == self.head_height && hash != self.head_hash {
                return Err(format!(
                    "the header paged at height {expected} is not the newest header the service showed"
                ));
            }
            (self.height, self.hash) = (expected, hash);
            if self.height >= self.stop {
                break;
            }
        }
        Ok(())
    }

    /// How the walk ended (a walk still wanting pages ends broken: the fetcher gave up).
    pub fn outcome(&self) -> WalkOutcome {
        if let Some(e) = &self.broken {
            return WalkOutcome::Broken(e.clone());
        }
        match self.height {
            h if h == self.head_height => WalkOutcome::Linked { from: self.start, to: h },
            h if h >= self.stop => WalkOutcome::NotBeyond { checked: h - self.start, head_height: self.head_height },
            h => WalkOutcome::Broken(format!("the walk stopped at height {h}, before height {}", self.stop)),
        }
    }

    /// Ends the walk with a fetch error.
    pub fn fail(&mut self, reason: String) {
        self.broken.get_or_insert(reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut prev = Hash::ZERO;
        for height in 0..n {
            let h = BlockHeader {
                log: "notarium.test/dev".parse().unwrap(),
                height,
                prev,
                root: Hash::of(&height.to_be_bytes()),
                leaves: 1,
                sealed: "2026-11-21T08:00:01.000Z".parse().unwrap(),
            };
            prev = h.block_hash();
            out.push(h.text());
        }
        out
    }

    fn paged(chain: &[String], from: u64, limit: u64) -> Vec<PagedHeader> {
        chain
            .iter()
            .enumerate()
            .skip(from as usize)
            .take(limit as usize)
            .map(|(h, text)| PagedHeader {
                height: h as u64,
                header: text.clone(),
                block_hash: Hash::of(text.as_bytes()),
            })
            .collect()
    }

    /// Walks `served` from the receipt's block at `start` to `head`, fetching pages with `page`.
    fn walk(
        ours: &[String],
        start: u64,
        head: &str,
        max: u64,
        page: impl Fn(u64, u64) -> Vec<PagedHeader>,
    ) -> WalkOutcome {
        let mut w = match Walk::new(&ours[start as usize], head, max) {
            Ok(w) => w,
            Err(e) => return WalkOutcome::Broken(e),
        };
        let mut pages = 0;
        while let Some((from, limit)) = w.want() {
            w.feed(&page(from, limit));
            pages += 1;
            assert!(pages < 10_000, "the walk must end");
        }
        w.outcome()
    }

    #[test]
    fn links_an_honest_chain_across_pages_and_stops_at_the_cap() {
        let c = chain(2500);
        let honest = |from, limit| paged(&c, from, limit);
        assert_eq!(walk(&c, 3, &c[2400], 100_000, honest), WalkOutcome::Linked { from: 3, to: 2400 });
        assert_eq!(walk(&c, 7, &c[7], 100_000, honest), WalkOutcome::Linked { from: 7, to: 7 });
        assert_eq!(walk(&c, 3, &c[2400], 5, honest), WalkOutcome::NotBeyond { checked: 5, head_height: 2400 });
        assert_eq!(walk(&c, 3, &c[8], 5, honest), WalkOutcome::Linked { from: 3, to: 8 });
    }

    #[test]
    fn a_rewritten_history_does_not_link() {
        let ours = chain(20);
        let mut theirs = chain(20);
        // The service rewrote block 10: every later `prev` follows its version, not ours.
        theirs[10] = theirs[10].replace("leaves 1", "leaves 2");
        let rebuilt = {
            let mut out = theirs[..11].to_vec();
            let mut prev = Hash::of(out[10].as_bytes());
            for t in &theirs[11..] {
                let mut h = BlockHeader::parse(t).unwrap();
                h.prev = prev;
                prev = h.block_hash();
                out.push(h.text());
            }
            out
        };
        let outcome = walk(&ours, 10, &rebuilt[19], 100_000, |f, l| paged(&rebuilt, f, l));
        assert!(matches!(&outcome, WalkOutcome::Broken(e) if e.contains("does not link")), "{outcome:?}");
        let same_height = walk(&ours, 19, &rebuilt[19], 100_000, |f, l| paged(&rebuilt, f, l));
        assert!(matches!(&same_height, WalkOutcome::Broken(e) if e.contains("not the receipt's")), "{same_height:?}");
        let cut_back = walk(&ours, 15, &ours[12], 100_000, |f, l| paged(&ours, f, l));
        assert!(matches!(&cut_back, WalkOutcome::Broken(e) if e.contains("cut back")), "{cut_back:?}");
    }

    #[test]
    fn hostile_pages_end_the_walk_broken() {
        let c = chain(30);
        let head = &c[29];
        type Pages<'a> = Box<dyn Fn(u64, u64) -> Vec<PagedHeader> + 'a>;
        let cases: Vec<(&str, Pages)> = vec![
            ("empty", Box::new(|_, _| Vec::new())),
            ("one header a page", Box::new(|f, _| paged(&c, f, 1))),
            ("more than asked", Box::new(|f, l| paged(&c, f, l + 1).into_iter().chain(paged(&c, 0, 1)).collect())),
            ("a gap", Box::new(|f, l| paged(&c, f + 1, l))),
            ("a repeat", Box::new(|f, l| paged(&c, f - 1, l))),
            (
                "a wrong hash",
                Box::new(|f, l| {
                    let mut p = paged(&c, f, l);
                    p[0].block_hash = Hash::ZERO;
                    p
                }),
            ),
            (
                "not a header",
                Box::new(|f, l| {
                    let mut p = paged(&c, f, l);
                    p[1].header = "{}".into();
                    p
                }),
            ),
            (
                "another log",
                Box::new(|f, l| {
                    let mut p = paged(&c, f, l);
                    p[2].header = p[2].header.replace("notarium.test/dev", "evil/log");
                    p[2].block_hash = Hash::of(p[2].header.as_bytes());
                    p
                }),
            ),
            (
                "a height line that lies",
                Box::new(|f, l| {
                    let mut p = paged(&c, f, l);
                    p[0].header = c[0].clone();
                    p[0].block_hash = Hash::of(c[0].as_bytes());
                    p
                }),
            ),
        ];
        for (what, page) in cases {
            let outcome = walk(&c, 2, head, 100_000, page);
            assert!(matches!(outcome, WalkOutcome::Broken(_)), "{what}: {outcome:?}");
        }
        // A head that the pages do not reach with the same bytes.
        let other_head = c[29].replace("leaves 1", "leaves 9");
        let outcome = walk(&c, 2, &other_head, 100_000, |f, l| paged(&c, f, l));
        assert!(matches!(&outcome, WalkOutcome::Broken(e) if e.contains("not the newest")), "{outcome:?}");
        assert!(Walk::new(&c[2], "garbage", 10).is_err());
    }
}
