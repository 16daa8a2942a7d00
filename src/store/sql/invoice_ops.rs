//! Applying the invoice operations ([`InvoiceOp`]) inside the evidence writer's transaction, on
//! any SQL backend. Each operation first reads its invoice's row with [`SqlConn::LOCK`]: a
//! decision is taken on the state the last committed operation left, whichever process wrote
//! it, and the `CHECK` on `claimed_cents` refuses any write past the reimbursable amount.

use anyhow::Context;

use super::{Arg, KEY_IS, SqlConn, args};
use crate::domain::Timestamp;
use crate::domain::invoice::{Amount, Ledger};
use crate::domain::{Hash, TenantId};
use crate::store::columns::id_bytes;
use crate::store::evidence::EvidenceRecord;
use crate::store::invoices::{InvoiceKey, InvoiceOp, NewClaim, NewInvoice, OpRefused, VoidInvoice, Withdrawal};
use crate::store::rows::{self, StoredRow};
use crate::store::write_plan::{Numbered, OpsInOrder};
use crate::store::writer::{Outcome, Submission};

/// Applies a numbered group's invoice operations in submission order on the writer's
/// transaction; the outcomes and the sequence number after the last record.
pub(crate) async fn apply_all<C: SqlConn>(
    conn: &mut C,
    submissions: &[Submission],
    numbered: Numbered<'_>,
    received: Timestamp,
) -> anyhow::Result<(Vec<Outcome>, u64)> {
    let mut in_order = OpsInOrder::new(submissions, numbered, received);
    while let Some((op, owner, record)) = in_order.next_op()? {
        let applied = apply(conn, op, owner, &record).await?;
        in_order.decide(applied, record);
    }
    in_order.finish()
}

/// Applies `op` for `caller` on the writer's transaction; on success the op's rows reference
/// `record`, which the writer then inserts.
pub(crate) async fn apply<C: SqlConn>(
    conn: &mut C,
    op: &InvoiceOp,
    caller: &TenantId,
    record: &EvidenceRecord,
) -> anyhow::Result<Result<(), OpRefused>> {
    match op {
        InvoiceOp::Issue(new) => issue(conn, new, caller, record).await,
        InvoiceOp::Claim(claim) => self::claim(conn, claim, caller, record).await,
        InvoiceOp::Withdraw(w) => withdraw(conn, w, caller, record).await,
        InvoiceOp::Void(v) => void(conn, v, caller, record).await,
    }
}

/// The key's three parameters (`$1`, `$2`, `$3` of [`KEY_IS`]) followed by `more`.
fn keyed(key: &InvoiceKey, more: Vec<Arg>) -> Vec<Arg> {
    let mut args = args![&key.issuer, &key.code, &key.number];
    args.extend(more);
    args
}

/// The primary key refuses a second invoice with one issuer, code and number; the insert does
/// nothing then (`ON CONFLICT DO NOTHING`), so the transaction goes on with the rest.
async fn issue<C: SqlConn>(
    conn: &mut C,
    new: &NewInvoice,
    caller: &TenantId,
    record: &EvidenceRecord,
) -> anyhow::Result<Result<(), OpRefused>> {
    let (signature, signer) = new.signature.clone().unzip();
    let sql = "INSERT INTO invoices (issuer, invoice_code, invoice_number, tenant_id, evidence_seq, content_hash, \
         currency, total_cents, reimbursable_cents, body, signature, signer) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (issuer, invoice_code, invoice_number) DO NOTHING";
    let more = args![
        id_bytes(caller),
        record.seq,
        record.content_hash.as_bytes(),
        &new.currency,
        new.total.0,
        new.reimbursable.0,
        &new.body,
        signature,
        signer
    ];
    let done = conn.execute(sql, keyed(&new.key, more)).await.context("inserting the invoice")?;
    Ok(if done == 1 { Ok(()) } else { Err(OpRefused::InvoiceExists) })
}

async fn claim<C: SqlConn>(
    conn: &mut C,
    claim: &NewClaim,
    caller: &TenantId,
    record: &EvidenceRecord,
) -> anyhow::Result<Result<(), OpRefused>> {
    // The invoice's row first: two claims on one invoice are decided one after the other.
    let state = ledger_of(conn, &claim.key).await?;
    let sql = "SELECT id, content_hash FROM claims WHERE insurer_id = $1 AND claim_reference = $2";
    let earlier = conn
        .fetch_optional(sql, args![id_bytes(caller), &claim.reference])
        .await
        .context("reading the claim reference")?;
    if let Some(row) = earlier {
        return Ok(Err(if row.hash("content_hash")? == record.content_hash {
            OpRefused::ClaimRepeated(row.evidence_id("id")?)
        } else {
            OpRefused::ClaimReferenceReused
        }));
    }
    let Some(mut state) = state.filter(|s| s.content_hash == claim.invoice_hash) else {
        return Ok(Err(OpRefused::NotFound));
    };
    if let Err(refusal) = state.ledger.claim(claim.amount) {
        return Ok(Err(OpRefused::Ledger(refusal)));
    }
    store_ledger(conn, &claim.key, &state.ledger).await?;
    let sql = "INSERT INTO claims (issuer, invoice_code, invoice_number, id, insurer_id, claim_reference, \
         content_hash, amount_cents, evidence_seq, claimed_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    let more = args![
        id_bytes(&record.id),
        id_bytes(caller),
        &claim.reference,
        record.content_hash.as_bytes(),
        claim.amount.0,
        record.seq,
        record.received
    ];
    conn.execute(sql, keyed(&claim.key, more)).await.context("inserting the claim")?;
    Ok(Ok(()))
}

async fn withdraw<C: SqlConn>(
    conn: &mut C,
    w: &Withdrawal,
    caller: &TenantId,
    record: &EvidenceRecord,
) -> anyhow::Result<Result<(), OpRefused>> {
    let Some(mut state) = ledger_of(conn, &w.key).await? else { return Ok(Err(OpRefused::NotFound)) };
    let sql = format!("SELECT amount_cents, withdrawal_seq FROM claims WHERE {KEY_IS} AND id = $4 AND insurer_id = $5");
    let row = conn
        .fetch_optional(&sql, keyed(&w.key, args![id_bytes(&w.claim), id_bytes(caller)]))
        .await
        .context("reading the claim")?;
    let Some(row) = row else { return Ok(Err(OpRefused::NotFound)) };
    if row.maybe_uint("withdrawal_seq")?.is_some() {
        return Ok(Err(OpRefused::AlreadyWithdrawn));
    }
    state.ledger.withdraw(Amount(row.uint("amount_cents")?));
    store_ledger(conn, &w.key, &state.ledger).await?;
    let sql = "UPDATE claims SET withdrawal_seq = $1, withdrawn_ms = $2 WHERE id = $3";
    conn.execute(sql, args![record.seq, record.received, id_bytes(&w.claim)]).await.context("withdrawing the claim")?;
    Ok(Ok(()))
}

async fn void<C: SqlConn>(
    conn: &mut C,
    v: &VoidInvoice,
    caller: &TenantId,
    record: &EvidenceRecord,
) -> anyhow::Result<Result<(), OpRefused>> {
    let Some(mut state) = ledger_of(conn, &v.key).await?.filter(|s| s.hospital == *caller) else {
        return Ok(Err(OpRefused::NotFound));
    };
    if let Err(refusal) = state.ledger.void() {
        return Ok(Err(OpRefused::Ledger(refusal)));
    }
    let sql = format!("UPDATE invoices SET void_seq = $4, void_reason = $5 WHERE {KEY_IS}");
    conn.execute(&sql, keyed(&v.key, args![record.seq, &v.reason])).await.context("voiding the invoice")?;
    Ok(Ok(()))
}

struct LedgerState {
    hospital: TenantId,
    content_hash: Hash,
    ledger: Ledger,
}

/// The invoice's ledger, its row locked until the writer's transaction ends.
async fn ledger_of<C: SqlConn>(conn: &mut C, key: &InvoiceKey) -> anyhow::Result<Option<LedgerState>> {
    let sql = format!(
        "SELECT tenant_id, content_hash, reimbursable_cents, claimed_cents, active_claims, void_seq FROM invoices \
         WHERE {KEY_IS}{}",
        C::LOCK
    );
    let row = conn.fetch_optional(&sql, keyed(key, Vec::new())).await.context("locking the invoice's ledger")?;
    row.map(|r| {
        Ok(LedgerState {
            hospital: r.tenant_id("tenant_id")?,
            content_hash: r.hash("content_hash")?,
            ledger: rows::ledger(&r)?,
        })
    })
    .transpose()
}

async fn store_ledger<C: SqlConn>(conn: &mut C, key: &InvoiceKey, ledger: &Ledger) -> anyhow::Result<()> {
    let sql = format!("UPDATE invoices SET claimed_cents = $4, active_claims = $5 WHERE {KEY_IS}");
    conn.execute(&sql, keyed(key, args![ledger.claimed.0, ledger.active_claims]))
        .await
        .context("updating the invoice's ledger")?;
    Ok(())
}
