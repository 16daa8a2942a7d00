//! The database against what its witnesses last co-signed (`notarium audit --witness URL`):
//! a witness that co-signed height H with block hash X names a rollback when the database has
//! no block H (a restore of an older backup), or a fork when its block H has another hash.

use std::time::Duration;

use super::Inconsistency;
use crate::domain::Hash;
use crate::store::Store;
use crate::witness::client::fetch_head;
use crate::witness::protocol::WitnessHead;

/// How long one witness may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Reads the head of each witness at `urls`; fails naming the first that cannot be read.
pub async fn fetch_heads(urls: &[String]) -> anyhow::Result<Vec<WitnessHead>> {
    let mut heads = Vec::with_capacity(urls.len());
    for url in urls {
        heads.push(fetch_head(url, TIMEOUT).await.map_err(|e| e.context(format!("witness {url}")))?);
    }
    Ok(heads)
}

/// The first witness whose last co-signed block the database lacks or holds with another
/// hash, in the order given.
pub async fn compare(store: &Store, heads: &[WitnessHead]) -> anyhow::Result<Option<Inconsistency>> {
    let max_height = store.max_height().await?;
    for head in heads {
        let (Some(height), Some(signed)) = (head.last_signed_height, head.last_signed_hash) else {
            continue; // a fresh witness vouches for nothing
        };
        let stored = match max_height {
            Some(max) if height <= max => store.block(height).await?.map(|b| b.block_hash),
            _ => None,
        };
        if let Some(found) = judge(head, height, signed, stored, max_height) {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// The verdict on one witness: `stored` is the database's hash of block `height`, if it has
/// that block; `max_height` its highest block.
fn judge(
    head: &WitnessHead,
    height: u64,
    signed: Hash,
    stored: Option<Hash>,
    max_height: Option<u64>,
) -> Option<Inconsistency> {
    let witness = head.witness.to_string();
    match stored {
        Some(stored) if stored == signed => None,
        Some(stored) => Some(Inconsistency::WitnessFork { witness, height, signed, stored }),
        None => Some(Inconsistency::WitnessRollback { witness, height, signed, max_height }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn head() -> WitnessHead {
        WitnessHead {
            witness: "court".parse().unwrap(),
            role: Role::Court,
            log: "notarium.local/dev".parse().unwrap(),
            last_signed_height: Some(7),
            last_signed_hash: Some(Hash::of(b"7")),
        }
    }

    #[test]
    fn a_missing_block_is_a_rollback_another_hash_a_fork_the_same_hash_agreement() {
        let (signed, other) = (Hash::of(b"7"), Hash::of(b"other 7"));
        assert_eq!(judge(&head(), 7, signed, Some(signed), Some(9)), None);
        let fork = judge(&head(), 7, signed, Some(other), Some(9)).unwrap();
        assert_eq!(fork, Inconsistency::WitnessFork { witness: "court".into(), height: 7, signed, stored: other });
        assert!(fork.to_string().contains("a fork"), "{fork}");
        let rollback = judge(&head(), 7, signed, None, Some(3)).unwrap();
        assert_eq!(
            rollback,
            Inconsistency::WitnessRollback { witness: "court".into(), height: 7, signed, max_height: Some(3) }
        );
        let text = rollback.to_string();
        assert!(text.contains("rolled back") && text.contains("height 3"), "{text}");
        let empty = judge(&head(), 7, signed, None, None).unwrap().to_string();
        assert!(empty.contains("no block at all"), "{empty}");
    }
}
