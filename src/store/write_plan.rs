//! The evidence writer's work that does not depend on the database, shared by every backend:
//! deciding each submission from the idempotency keys already recorded, drawing salts and
//! leaf hashes before the transaction, numbering the records once the transaction has the next
//! sequence number, and gathering what is to be inserted.

use std::collections::HashMap;

use anyhow::Context;

use super::evidence::{EvidenceRecord, IdempotencyRecord, NewEvidence};
use super::invoices::{InvoiceOp, OpRefused};
use super::writer::{Outcome, Submission};
use crate::domain::canonical::meta_commitment;
use crate::domain::leaf::LeafVersion;
use crate::domain::{EvidenceId, Hash, Leaf, Salt, TenantId, Timestamp};

/// The recorded idempotency keys of a group, by owner and key.
pub(crate) type SeenKeys = HashMap<(TenantId, String), IdempotencyRecord>;

/// A group of submissions decided as far as possible before the transaction.
pub(crate) struct Plan<'a> {
    pending: Vec<Pending>,
    new_keys: Vec<NewKey<'a>>,
}

/// The plan numbered inside the transaction: what each key records, each submission's outcome
/// (`None` for an invoice operation, decided next), and the next free sequence number.
pub(crate) struct Numbered<'a> {
    pub keys: Vec<(TenantId, &'a str, IdempotencyRecord)>,
    pub outcomes: Vec<Option<Outcome>>,
    pub next: u64,
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

/// The idempotency keys to read before planning (invoice operations carry none).
pub(crate) fn wanted_keys(submissions: &[Submission]) -> Vec<(TenantId, &str)> {
    submissions
        .iter()
        .filter(|s| s.op.is_none())
        .filter_map(|s| s.idempotency.as_ref().map(|(key, _)| (s.owner, key.as_str())))
        .collect()
}

/// Everything before the transaction: salts and leaf hashes (a leaf does not depend on its
/// sequence number), replays and reused keys. A key another writer records in between makes
/// the insert of the key fail, and the group with it: nothing is written twice. Invoice
/// operations depend on rows that earlier operations of the group may change: they are decided
/// one by one inside the transaction.
pub(crate) fn plan<'a>(
    submissions: &'a [Submission],
    seen: &SeenKeys,
    received: Timestamp,
) -> anyhow::Result<Plan<'a>> {
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
        let created = s.items.iter().map(|item| new_record(s.owner, item, received)).collect::<anyhow::Result<_>>()?;
        pending.push(Pending::Created(created));
    }
    Ok(Plan { pending, new_keys })
}

impl<'a> Plan<'a> {
    /// Numbers the created records from `next` (the transaction's first free number).
    pub(crate) fn number(self, submissions: &[Submission], mut next: u64) -> anyhow::Result<Numbered<'a>> {
        let Plan { mut pending, new_keys } = self;
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
        let keys = new_keys
            .iter()
            .map(|&(owner, key, _, first)| Ok((owner, key, keyed[first].context("a new key's records")?)))
            .collect::<anyhow::Result<_>>()?;
        let outcomes = pending
            .into_iter()
            .map(|p| {
                Ok(match p {
                    Pending::Op => None,
                    Pending::Created(records) => Some(Outcome::Created(records)),
                    Pending::RepeatOf(first) => {
                        Some(Outcome::Replayed(keyed[first].context("a repeated key's records")?))
                    }
                    Pending::Decided(o) => Some(o),
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Numbered { keys, outcomes, next })
    }
}

/// Every outcome decided (the invoice operations too).
pub(crate) fn decided(outcomes: Vec<Option<Outcome>>) -> anyhow::Result<Vec<Outcome>> {
    outcomes.into_iter().map(|o| o.context("a submission left undecided")).collect()
}

/// The records the outcomes create, in order: what the transaction inserts.
pub(crate) fn created(outcomes: &[Outcome]) -> Vec<&EvidenceRecord> {
    outcomes
        .iter()
        .flat_map(|o| match o {
            Outcome::Created(records) => records.as_slice(),
            _ => &[],
        })
        .collect()
}

/// The one record of an invoice operation, not yet numbered.
pub(crate) fn op_record(s: &Submission, received: Timestamp) -> anyhow::Result<EvidenceRecord> {
    let [item] = s.items.as_slice() else { anyhow::bail!("an invoice operation carries exactly one record") };
    new_record(s.owner, item, received)
}

/// A group's invoice operations in arrival order, for the backend to apply one after another
/// inside its transaction; the record of each one applied is numbered from the next free
/// sequence number.
pub(crate) struct OpsInOrder<'s> {
    submissions: &'s [Submission],
    outcomes: Vec<Option<Outcome>>,
    next: u64,
    at: usize,
    received: Timestamp,
}

impl<'s> OpsInOrder<'s> {
    pub(crate) fn new(submissions: &'s [Submission], numbered: Numbered<'_>, received: Timestamp) -> Self {
        Self { submissions, outcomes: numbered.outcomes, next: numbered.next, at: 0, received }
    }

    /// The next operation, its owner and its record (numbered), or `None` after the last.
    pub(crate) fn next_op(&mut self) -> anyhow::Result<Option<(&'s InvoiceOp, &'s TenantId, EvidenceRecord)>> {
        while let Some(s) = self.submissions.get(self.at) {
            self.at += 1;
            let Some(op) = &s.op else { continue };
            let mut record = op_record(s, self.received)?;
            record.seq = self.next;
            return Ok(Some((op, &s.owner, record)));
        }
        Ok(None)
    }

    /// What applying the operation [`OpsInOrder::next_op`] gave last decided.
    pub(crate) fn decide(&mut self, applied: Result<(), OpRefused>, record: EvidenceRecord) {
        self.outcomes[self.at - 1] = Some(match applied {
            Ok(()) => {
                self.next += 1;
                Outcome::Created(vec![record])
            }
            Err(refused) => Outcome::Refused(refused),
        });
    }

    /// Every submission's outcome, and the next free sequence number.
    pub(crate) fn finish(self) -> anyhow::Result<(Vec<Outcome>, u64)> {
        Ok((decided(self.outcomes)?, self.next))
    }
}

/// The image rows to insert: each image submission's record and row.
pub(crate) fn images<'s>(
    submissions: &'s [Submission],
    outcomes: &'s [Outcome],
) -> anyhow::Result<Vec<(&'s EvidenceRecord, &'s super::images::NewImage)>> {
    let mut rows = Vec::new();
    for (s, outcome) in submissions.iter().zip(outcomes) {
        if let (Some(image), Outcome::Created(created)) = (&s.image, outcome) {
            let [record] = created.as_slice() else { anyhow::bail!("an image carries exactly one record") };
            rows.push((record, image));
        }
    }
    Ok(rows)
}

/// A record not yet numbered (its `seq` is set inside the transaction): leaf v2, its metadata
/// committed with a `meta_salt` of its own.
fn new_record(owner: TenantId, item: &NewEvidence, received: Timestamp) -> anyhow::Result<EvidenceRecord> {
    let salt = random_salt().context("drawing a salt")?;
    let meta_salt = random_salt().context("drawing a meta_salt")?;
    let leaf = Leaf {
        version: LeafVersion::V2,
        id: EvidenceId::generate(),
        kind: item.kind,
        content: item.content_hash,
        salt,
        meta: meta_commitment(Some(&meta_salt), item.metadata.as_ref()),
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
        meta_salt: Some(meta_salt),
        metadata: item.metadata.clone(),
        received,
        leaf_hash: leaf.hash(),
    })
}

/// 32 bytes from openssl's CSPRNG.
fn random_salt() -> anyhow::Result<Salt> {
    let mut bytes = [0u8; 32];
    openssl::rand::rand_bytes(&mut bytes)?;
    Ok(Salt(bytes))
}
