//! The single evidence writer's side of the database: one transaction per group of
//! submissions, multi-row inserts, arrival sequence numbers and leaf hashes assigned here.

use anyhow::Context;
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;

use super::Store;
use super::evidence::{IdempotencyRecord, idempotency_get, idempotency_put, insert_evidence, max_seq_on};
use super::invoices::{InvoiceOp, OpRefused, ops};
use super::{EvidenceRecord, NewEvidence, NewImage, insert_image};
use crate::domain::canonical::meta_hash;
use crate::domain::{EvidenceId, Hash, Leaf, Salt, TenantId, Timestamp};

/// One request's records, all-or-nothing.
#[derive(Debug, Clone)]
pub struct Submission {
    pub owner: TenantId,
    pub items: Vec<NewEvidence>,
    /// The `Idempotency-Key` and the hash of the request body, if a key was sent.
    pub idempotency: Option<(String, Hash)>,
    /// An invoice operation, decided inside the transaction; `items` is then its one record.
    pub op: Option<InvoiceOp>,
    /// An image registration's row; `items` is then its one record.
    pub image: Option<NewImage>,
}

impl Submission {
    /// Records with no further condition.
    pub fn records(owner: TenantId, items: Vec<NewEvidence>, idempotency: Option<(String, Hash)>) -> Self {
        Self { owner, items, idempotency, op: None, image: None }
    }

    /// An image registration: its record and its row.
    pub fn image(owner: TenantId, record: NewEvidence, image: NewImage, idempotency: Option<(String, Hash)>) -> Self {
        Self { owner, items: vec![record], idempotency, op: None, image: Some(image) }
    }

    /// An invoice operation and the one record it creates when applied.
    pub fn invoice_op(owner: TenantId, op: InvoiceOp, record: NewEvidence) -> Self {
        Self { owner, items: vec![record], idempotency: None, op: Some(op), image: None }
    }
}

/// What became of one submission.
#[derive(Debug, Clone)]
pub enum Outcome {
    Created(Vec<EvidenceRecord>),
    /// The key was seen before with the same body: these are the first request's records.
    Replayed(IdempotencyRecord),
    /// The key was seen before with another body.
    KeyReused,
    /// The invoice operation was refused; nothing was written.
    Refused(OpRefused),
}

/// Owns the writer connection and the next sequence number.
pub struct EvidenceWriter {
    conn: SqliteConnection,
    next_seq: u64,
}

impl EvidenceWriter {
    pub async fn open(store: &Store) -> anyhow::Result<Self> {
        let mut conn = store.writer_connection().await?;
        let next_seq = max_seq_on(&mut conn).await?.map_or(0, |m| m + 1);
        Ok(Self { conn, next_seq })
    }

    /// Writes every submission in one transaction and returns one outcome per submission, in
    /// order. On error nothing is written and the sequence counter is reloaded.
    pub async fn write(&mut self, submissions: &[Submission]) -> anyhow::Result<Vec<Outcome>> {
        let start_seq = self.next_seq;
        let result = self.write_once(submissions).await;
        if result.is_err() {
            self.next_seq = max_seq_on(&mut self.conn).await.ok().flatten().map_or(start_seq, |m| m + 1);
        }
        result
    }

    async fn write_once(&mut self, submissions: &[Submission]) -> anyhow::Result<Vec<Outcome>> {
        let received = Timestamp::now();
        // Everything but the inserts happens before the transaction: idempotency reads, salts,
        // leaf hashes. Only this writer writes evidence and idempotency rows, so what is read
        // here cannot change before the commit, and the write lock is held for the inserts
        // alone; holding it while hashing a whole group starved the sealer's writes.
        // Invoice operations depend on rows that earlier operations of the group may change:
        // they are decided one by one inside the transaction, after the plain records.
        let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(submissions.len());
        let mut new_keys: Vec<(TenantId, &str, IdempotencyRecord)> = Vec::new();
        let mut next = self.next_seq;
        for s in submissions {
            if s.op.is_some() {
                outcomes.push(None);
                continue;
            }
            if let Some((key, request_hash)) = &s.idempotency {
                let here = new_keys.iter().find(|(o, k, _)| *o == s.owner && *k == key.as_str()).map(|(_, _, r)| *r);
                let seen = match here {
                    Some(r) => Some(r),
                    None => idempotency_get(&mut self.conn, &s.owner, key).await?,
                };
                if let Some(seen) = seen {
                    let same = seen.request_hash == *request_hash;
                    outcomes.push(Some(if same { Outcome::Replayed(seen) } else { Outcome::KeyReused }));
                    continue;
                }
            }
            let created: Vec<EvidenceRecord> = s
                .items
                .iter()
                .map(|item| {
                    let seq = next;
                    next += 1;
                    new_record(seq, s.owner, item, received)
                })
                .collect::<anyhow::Result<_>>()?;
            if let Some((key, request_hash)) = &s.idempotency {
                let first_seq = created.first().map_or(next, |r| r.seq);
                let rec = IdempotencyRecord { request_hash: *request_hash, first_seq, count: created.len() as u64 };
                new_keys.push((s.owner, key.as_str(), rec));
            }
            outcomes.push(Some(Outcome::Created(created)));
        }
        // IMMEDIATE: the write lock is taken at BEGIN (waiting up to the busy timeout), never
        // by upgrading a read, which fails at once with SQLITE_BUSY after another write.
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await.context("beginning the write")?;
        for (owner, key, rec) in &new_keys {
            idempotency_put(&mut tx, owner, key, rec).await?;
        }
        for (s, slot) in submissions.iter().zip(outcomes.iter_mut()) {
            let Some(op) = &s.op else { continue };
            let [item] = s.items.as_slice() else { anyhow::bail!("an invoice operation carries exactly one record") };
            let record = new_record(next, s.owner, item, received)?;
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
        self.next_seq = next;
        Ok(outcomes)
    }
}

fn new_record(seq: u64, owner: TenantId, item: &NewEvidence, received: Timestamp) -> anyhow::Result<EvidenceRecord> {
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
        seq,
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
