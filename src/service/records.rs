//! Records as their owner sees them: the stored record with its status, read set-based.

use crate::domain::EvidenceStatus;
use crate::store::{EvidenceRecord, Store, record_status};

/// A record with its status and the height of the block that holds it, once sealed.
#[derive(Debug, Clone)]
pub struct RecordState {
    pub record: EvidenceRecord,
    pub status: EvidenceStatus,
    pub block: Option<u64>,
}

impl RecordState {
    /// A record just written: no block yet.
    pub fn pending(record: EvidenceRecord) -> Self {
        Self { record, status: EvidenceStatus::Pending, block: None }
    }
}

/// The records with their status, in the order given: one query for all of them.
pub async fn with_status(store: &Store, records: Vec<EvidenceRecord>) -> anyhow::Result<Vec<RecordState>> {
    let seqs: Vec<u64> = records.iter().map(|r| r.seq).collect();
    let blocks = store.blocks_containing(&seqs).await?;
    Ok(records
        .into_iter()
        .zip(blocks)
        .map(|(record, block)| RecordState {
            record,
            status: record_status(block.as_ref()),
            block: block.map(|b| b.height),
        })
        .collect())
}

/// One record with its status.
pub async fn one_with_status(store: &Store, record: EvidenceRecord) -> anyhow::Result<RecordState> {
    let mut states = with_status(store, vec![record]).await?;
    Ok(states.pop().expect("one record in, one out"))
}
