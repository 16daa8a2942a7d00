//! The SQLite evidence writer: one transaction per group of submissions, multi-row inserts,
//! arrival sequence numbers allocated inside the transaction (after `BEGIN IMMEDIATE` no other
//! writer can take one before the commit), so that several writers on one database never
//! collide.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;

use super::evidence::{idempotency_put, idempotency_seen, insert_evidence, next_seq_on};
use super::images::insert_image;
use super::invoices::ops;
use crate::domain::canonical::meta_hash;
use crate::domain::{EvidenceId, Hash, Leaf, Salt, TenantId, Timestamp};
use crate::store::evidence::{EvidenceRecord, IdempotencyRecord, NewEvidence};
use crate::store::writer::{Outcome, RecordWriter, Submission};

/// Owns a connection of its own; keeps no sequence number between writes.
pub struct SqliteWriter {
    conn: SqliteConnection,
}

impl SqliteWriter {
    pub(super) fn new(conn: SqliteConnection) -> Self {
        Self { conn }
    }
}

/// A submission's outcome as decided before the transaction: records still without their
/// sequence numbers, which only the transaction can allocate.
enum Pending {
    /// Decided inside the transaction (an invoice operation).
    Op,
    Decided(Outcome),
    Created(Vec<EvidenceRecord>),
    /// A repeat of a key first sent by the submission at this index in the same group, with
    /// the same body: the first one's records once numbered.
    RepeatOf(usize),
}

/// A key first seen in a group: its owner, the key, the request's hash, and the index of the
/// submission whose records it points at.
type NewKey<'a> = (TenantId, &'a str, Hash, usize);

impl SqliteWriter {
    /// Everything before the transaction: the idempotency keys (one read for the group),
    /// salts, leaf hashes.
    async fn prepare<'a>(
        &mut self,
        submissions: &'a [Submission],
        received: Timestamp,
    ) -> anyhow::Result<(Vec<Pending>, Vec<NewKey<'a>>)> {
        // Everything but the inserts happens before the transaction: idempotency reads, salts,
        // leaf hashes (a leaf does not depend on its sequence number). The write lock is held
        // for the numbering and the inserts alone; holding it while hashing a whole group
        // starved the sealer's writes. A key another writer records in between makes the
        // insert of the key fail, and the group with it: nothing is written twice.
        // Invoice operations depend on rows that earlier operations of the group may change:
        // they are decided one by one inside the transaction, after the plain records.
        let wanted: Vec<(TenantId, &str)> = submissions
            .iter()
            .filter(|s| s.op.is_none())
            .filter_map(|s| s.idempotency.as_ref().map(|(key, _)| (s.owner, key.as_str())))
            .collect();
        let seen = idempotency_seen(&mut self.conn, &wanted).await?;
        let mut pending: Vec<Pending> = Vec::with_capacity(submissions.len());
        let mut new_keys: Vec<NewKey<'a>> = Vec::new();
        for (i, s) in submissions.iter().enumerate() {
            if s.op.is_some() {
                pending.push(Pending::Op);
                continue;
            }
            if let Some((key, request_hash)) = &s.idempotency {
                if let Some(&(_, _, first_hash, first)) =
                    new_keys.iter().find(|(o, k, _, _)| *o == s.owner && *k == key.as_str())
                {
                    let same = first_hash == *request_hash;
                    pending.push(if same { Pending::RepeatOf(first) } else { Pending::Decided(Outcome::KeyReused) });
                    continue;
                }
                if let Some(&seen) = seen.get(&(s.owner, key.clone())) {
                    let same = seen.request_hash == *request_hash;
                    pending.push(Pending::Decided(if same { Outcome::Replayed(seen) } else { Outcome::KeyReused }));
                    continue;
                }
                new_keys.push((s.owner, key.as_str(), *request_hash, i));
            }
            let created =
                s.items.iter().map(|item| new_record(s.owner, item, received)).collect::<anyhow::Result<_>>()?;
            pending.push(Pending::Created(created));
        }
        Ok((pending, new_keys))
    }
}

#[async_trait]
impl RecordWriter for SqliteWriter {
    async fn write(&mut self, submissions: &[Submission]) -> anyhow::Result<Vec<Outcome>> {
        // One arrival time for the whole group, invoice operations included.
        let received = Timestamp::now();
        let (mut pending, new_keys) = self.prepare(submissions, received).await?;
        // IMMEDIATE: the write lock is taken at BEGIN (waiting up to the busy timeout), never
        // by upgrading a read, which fails at once with SQLITE_BUSY after another write.
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await.context("beginning the write")?;
        let mut next = next_seq_on(&mut tx).await?;
        // What each key records: the first sequence number of its submission (the next one
        // when it created none) and how many.
        let mut keyed: Vec<Option<IdempotencyRecord>> = vec![None; submissions.len()];
        for (i, p) in pending.iter_mut().enumerate() {
            if let Pending::Created(records) = p {
                let first_seq = next;
                for r in records.iter_mut() {
                    r.seq = next;
                    next += 1;
                }
                if let Some((_, request_hash)) = &submissions[i].idempotency {
                    let count = records.len() as u64;
                    keyed[i] = Some(IdempotencyRecord { request_hash: *request_hash, first_seq, count });
                }
            }
        }
        for (owner, key, _, first) in &new_keys {
            let rec = keyed[*first].context("a new key's records")?;
            idempotency_put(&mut tx, owner, key, &rec).await?;
        }
        let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(submissions.len());
        for p in pending {
            outcomes.push(match p {
                Pending::Op => None,
                Pending::Created(records) => Some(Outcome::Created(records)),
                Pending::RepeatOf(first) => Some(Outcome::Replayed(keyed[first].context("a repeated key's records")?)),
                Pending::Decided(o) => Some(o),
            });
        }
        for (s, slot) in submissions.iter().zip(outcomes.iter_mut()) {
            let Some(op) = &s.op else { continue };
            let [item] = s.items.as_slice() else { anyhow::bail!("an invoice operation carries exactly one record") };
            let mut record = new_record(s.owner, item, received)?;
            record.seq = next;
            *slot = Some(match ops::apply(&mut tx, op, &s.owner, &record).await? {
                Ok(()) => {
                    next += 1;
                    Outcome::Created(vec![record])
                }
                Err(refused) => Outcome::Refused(refused),
            });
        }
        let outcomes: Vec<Outcome> = outcomes.into_iter().map(|o| o.expect("every submission decided")).collect();
        let records: Vec<&EvidenceRecord> = outcomes
            .iter()
            .flat_map(|o| match o {
                Outcome::Created(records) => records.as_slice(),
                _ => &[],
            })
            .collect();
        insert_evidence(&mut tx, &records).await?;
        for (s, outcome) in submissions.iter().zip(&outcomes) {
            if let (Some(image), Outcome::Created(created)) = (&s.image, outcome) {
                let [record] = created.as_slice() else { anyhow::bail!("an image carries exactly one record") };
                insert_image(&mut tx, record.seq, &record.content_hash, image).await?;
            }
        }
        tx.commit().await.context("committing the write")?;
        Ok(outcomes)
    }
}

/// A record not yet numbered (its `seq` is set inside the transaction).
fn new_record(owner: TenantId, item: &NewEvidence, received: Timestamp) -> anyhow::Result<EvidenceRecord> {
    let mut salt = [0u8; 32];
    openssl::rand::rand_bytes(&mut salt).context("drawing a salt")?;
    let leaf = Leaf {
        id: EvidenceId::generate(),
        kind: item.kind,
        content: item.content_hash,
        salt: Salt(salt),
        meta: meta_hash(item.metadata.as_ref()),
        owner,
        received,
    };
    Ok(EvidenceRecord {
        seq: 0,
        id: leaf.id,
        owner,
        kind: item.kind,
        content_hash: item.content_hash,
        salt: Some(leaf.salt),
        meta_hash: leaf.meta,
        metadata: item.metadata.clone(),
        received,
        leaf_hash: leaf.hash(),
    })
}
