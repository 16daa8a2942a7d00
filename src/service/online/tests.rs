//! The fetching against hostile services: answers too large, of the wrong shape, error
//! statuses, and pages that do not link or never end, all end as named failures.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use super::*;
use crate::domain::BlockHeader;
use crate::domain::online::WalkOutcome;

/// A server on a random port answering every request with `status` and `body`.
fn serve(status: &'static str, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
        }
    });
    base
}

#[tokio::test]
async fn a_hostile_server_gives_named_errors_not_a_panic_or_unbounded_memory() {
    let huge = serve("200 OK", vec![b' '; MAX_ANSWER_BYTES + 10]);
    let e = HttpSource::new(&huge).unwrap().page(1, 10).await.unwrap_err();
    assert!(e.contains(&format!("larger than {MAX_ANSWER_BYTES} bytes")), "{e}");

    let wrong = serve("200 OK", br#"{"headers": 5, "anchored_head": null}"#.to_vec());
    let e = HttpSource::new(&wrong).unwrap().page(1, 10).await.unwrap_err();
    assert!(e.contains("not the answer of a notarium service"), "{e}");
    let e = HttpSource::new(&wrong).unwrap().header_at(3).await.unwrap_err();
    assert!(e.contains("not the answer of a notarium service"), "{e}");

    let failing = serve("500 Internal Server Error", b"{}".to_vec());
    let e = HttpSource::new(&failing).unwrap().page(1, 10).await.unwrap_err();
    assert!(e.contains("500"), "{e}");
    let gone = serve("404 Not Found", b"{}".to_vec());
    assert_eq!(HttpSource::new(&gone).unwrap().header_at(3).await, Ok(None));

    assert!(matches!(HttpSource::new("ftp://example.org"), Err(OnlineError::BadUrl(_))));
    assert!(matches!(HttpSource::new("not a url"), Err(OnlineError::BadUrl(_))));
}

/// Headers 0..n, each linking to the one before.
fn chain(n: u64) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for height in 0..n {
        let prev = out.last().map_or(Hash::ZERO, |t| Hash::of(t.as_bytes()));
        let h = BlockHeader {
            log: "notarium.test/dev".parse().unwrap(),
            height,
            prev,
            root: Hash::ZERO,
            leaves: 0,
            sealed: "2026-11-21T08:00:01.000Z".parse().unwrap(),
        };
        out.push(h.text());
    }
    out
}

/// A service whose pages come from `pages(from, limit)`, with the head at `head`.
struct Fake<F> {
    chain: Vec<String>,
    head: u64,
    pages: F,
}

#[async_trait]
impl<F: Fn(&[String], u64, u64) -> Vec<PagedHeader> + Send + Sync> HeaderSource for Fake<F> {
    async fn header_at(&self, height: u64) -> Result<Option<String>, String> {
        Ok(self.chain.get(height as usize).cloned())
    }

    async fn page(&self, from: u64, limit: u64) -> Result<Page, String> {
        let head = Head { header: self.chain[self.head as usize].clone(), cosignatures: Vec::new() };
        Ok(Page { headers: (self.pages)(&self.chain, from, limit), anchored_head: Some(head) })
    }
}

fn honest(chain: &[String], from: u64, limit: u64) -> Vec<PagedHeader> {
    (from..(from + limit).min(chain.len() as u64))
        .map(|h| {
            let header = chain[h as usize].clone();
            PagedHeader { height: h, block_hash: Hash::of(header.as_bytes()), header }
        })
        .collect()
}

fn receipt_at(chain: &[String], height: u64) -> Receipt {
    let zero = Hash::ZERO.to_string();
    let header = &chain[height as usize];
    serde_json::from_value(serde_json::json!({
        "format": "notarium-receipt/v1",
        "evidence": {
            "id": "019a0000-0000-7000-8000-000000000000", "kind": "document", "content_hash": zero,
            "salt": zero, "meta_hash": zero, "owner": "019a0000-0000-7000-8000-000000000001",
            "received": "2026-11-21T08:00:00.000Z",
        },
        "leaf_hash": zero,
        "proof": { "leaf_index": 0, "leaf_count": 1, "siblings": [] },
        "block": { "log": "notarium.test/dev", "height": height, "header": header, "block_hash": Hash::of(header.as_bytes()) },
        "cosignatures": [],
    }))
    .unwrap()
}

fn outcome(head: OnlineHead) -> WalkOutcome {
    match head {
        OnlineHead::Walked { walk, .. } => walk,
        OnlineHead::Unavailable(e) => panic!("unavailable: {e}"),
    }
}

#[tokio::test]
async fn the_walk_runs_page_by_page_to_the_head_and_ends_on_hostile_pages() {
    let c = chain(2600);
    let receipt = receipt_at(&c, 5);
    // The service pages beyond its head (blocks not anchored yet): those are not walked.
    let fake = Fake { chain: c.clone(), head: 2500, pages: honest };
    let found = ask(&fake, &receipt, DEFAULT_MAX_HEADERS).await;
    assert_eq!(found.header, Ok(Some(c[5].clone())));
    assert_eq!(outcome(found.head), WalkOutcome::Linked { from: 5, to: 2500 });
    let capped = ask(&fake, &receipt, 1200).await;
    assert_eq!(outcome(capped.head), WalkOutcome::NotBeyond { checked: 1200, head_height: 2500 });

    // A service that pages the same headers forever, or more than asked, or others.
    let stuck = Fake { chain: c.clone(), head: 2500, pages: |c: &[String], _, limit| honest(c, 6, limit) };
    assert!(matches!(outcome(ask(&stuck, &receipt, DEFAULT_MAX_HEADERS).await.head), WalkOutcome::Broken(_)));
    let flood = Fake { chain: c.clone(), head: 2500, pages: |c: &[String], from, limit| honest(c, from, limit + 5) };
    let walk = outcome(ask(&flood, &receipt, 3000).await.head);
    assert!(matches!(&walk, WalkOutcome::Broken(e) if e.contains("the service sent")), "{walk:?}");
    let other = chain(1).into_iter().chain(chain(2600).into_iter().skip(1).map(|h| h.replace("leaves 0", "leaves 1")));
    let forged = Fake { chain: other.collect(), head: 2500, pages: honest };
    let walk = outcome(ask(&forged, &receipt, DEFAULT_MAX_HEADERS).await.head);
    assert!(matches!(&walk, WalkOutcome::Broken(_)), "{walk:?}");
}
