//! Applying the invoice operations ([`InvoiceOp`]) inside the evidence writer's transaction.

use anyhow::Context;
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;

use super::super::codec::{self, id_bytes};
use crate::domain::invoice::{Amount, Ledger};
use crate::domain::{Hash, TenantId};
use crate::store::evidence::EvidenceRecord;
use crate::store::invoices::{InvoiceKey, InvoiceOp, NewClaim, NewInvoice, OpRefused, VoidInvoice, Withdrawal};

/// Applies `op` for `caller` on the writer's transaction; on success the op's rows reference
/// `record`, which the writer then inserts.
pub async fn apply(
    conn: &mut SqliteConnection,
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

async fn issue(
    conn: &mut SqliteConnection,
    new: &NewInvoice,
    caller: &TenantId,
    record: &EvidenceRecord,
) -> anyhow::Result<Result<(), OpRefused>> {
    if ledger_of(conn, &new.key).await?.is_some() {
        return Ok(Err(OpRefused::InvoiceExists));
    }
    let (signature, signer) = new.signature.clone().unzip();
    sqlx::query(
        "INSERT INTO invoices (issuer, invoice_code, invoice_number, tenant_id, evidence_seq, content_hash, currency, \
         total_cents, reimbursable_cents, body, signature, signer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&new.key.issuer)
    .bind(&new.key.code)
    .bind(&new.key.number)
    .bind(id_bytes(caller))
    .bind(record.seq as i64)
    .bind(record.content_hash.as_bytes().to_vec())
    .bind(&new.currency)
    .bind(new.total.0 as i64)
    .bind(new.reimbursable.0 as i64)
    .bind(&new.body)
    .bind(signature)
    .bind(signer)
    .execute(&mut *conn)
    .await
    .context("inserting the invoice")?;
    Ok(Ok(()))
}

async fn claim(
    conn: &mut SqliteConnection,
    claim: &NewClaim,
    caller: &TenantId,
    record: &EvidenceRecord,
) -> anyhow::Result<Result<(), OpRefused>> {
    let earlier = sqlx::query("SELECT id, content_hash FROM claims WHERE insurer_id = ? AND claim_reference = ?")
        .bind(id_bytes(caller))
        .bind(&claim.reference)
        .fetch_optional(&mut *conn)
        .await
        .context("reading the claim reference")?;
    if let Some(row) = earlier {
        return Ok(Err(if codec::hash(&row, "content_hash")? == record.content_hash {
            OpRefused::ClaimRepeated(codec::evidence_id(&row, "id")?)
        } else {
            OpRefused::ClaimReferenceReused
        }));
    }
    let Some(mut state) = ledger_of(conn, &claim.key).await?.filter(|s| s.content_hash == claim.invoice_hash) else {
        return Ok(Err(OpRefused::NotFound));
    };
    if let Err(refusal) = state.ledger.claim(claim.amount) {
        return Ok(Err(OpRefused::Ledger(refusal)));
    }
    store_ledger(conn, &claim.key, &state.ledger).await?;
    sqlx::query(
        "INSERT INTO claims (id, issuer, invoice_code, invoice_number, insurer_id, claim_reference, content_hash, \
         amount_cents, evidence_seq, claimed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id_bytes(&record.id))
    .bind(&claim.key.issuer)
    .bind(&claim.key.code)
    .bind(&claim.key.number)
    .bind(id_bytes(caller))
    .bind(&claim.reference)
    .bind(record.content_hash.as_bytes().to_vec())
    .bind(claim.amount.0 as i64)
    .bind(record.seq as i64)
    .bind(record.received.unix_millis())
    .execute(&mut *conn)
    .await
    .context("inserting the claim")?;
    Ok(Ok(()))
}

async fn withdraw(
    conn: &mut SqliteConnection,
    w: &Withdrawal,
    caller: &TenantId,
    record: &EvidenceRecord,
) -> anyhow::Result<Result<(), OpRefused>> {
    let row = sqlx::query(
        "SELECT amount_cents, withdrawal_seq FROM claims \
         WHERE id = ? AND insurer_id = ? AND issuer = ? AND invoice_code = ? AND invoice_number = ?",
    )
    .bind(id_bytes(&w.claim))
    .bind(id_bytes(caller))
    .bind(&w.key.issuer)
    .bind(&w.key.code)
    .bind(&w.key.number)
    .fetch_optional(&mut *conn)
    .await
    .context("reading the claim")?;
    let Some(row) = row else { return Ok(Err(OpRefused::NotFound)) };
    if row.try_get::<Option<i64>, _>("withdrawal_seq")?.is_some() {
        return Ok(Err(OpRefused::AlreadyWithdrawn));
    }
    let mut state = ledger_of(conn, &w.key).await?.context("a claim's invoice exists")?;
    state.ledger.withdraw(Amount(row.try_get::<i64, _>("amount_cents")? as u64));
    store_ledger(conn, &w.key, &state.ledger).await?;
    sqlx::query("UPDATE claims SET withdrawal_seq = ?, withdrawn_ms = ? WHERE id = ?")
        .bind(record.seq as i64)
        .bind(record.received.unix_millis())
        .bind(id_bytes(&w.claim))
        .execute(&mut *conn)
        .await
        .context("withdrawing the claim")?;
    Ok(Ok(()))
}

async fn void(
    conn: &mut SqliteConnection,
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
    sqlx::query(
        "UPDATE invoices SET void_seq = ?, void_reason = ? WHERE issuer = ? AND invoice_code = ? AND invoice_number = ?",
    )
    .bind(record.seq as i64)
    .bind(&v.reason)
    .bind(&v.key.issuer)
    .bind(&v.key.code)
    .bind(&v.key.number)
    .execute(&mut *conn)
    .await
    .context("voiding the invoice")?;
    Ok(Ok(()))
}

struct LedgerState {
    hospital: TenantId,
    content_hash: Hash,
    ledger: Ledger,
}

async fn ledger_of(conn: &mut SqliteConnection, key: &InvoiceKey) -> anyhow::Result<Option<LedgerState>> {
    let row = sqlx::query(
        "SELECT tenant_id, content_hash, reimbursable_cents, claimed_cents, active_claims, void_seq FROM invoices \
         WHERE issuer = ? AND invoice_code = ? AND invoice_number = ?",
    )
    .bind(&key.issuer)
    .bind(&key.code)
    .bind(&key.number)
    .fetch_optional(&mut *conn)
    .await
    .context("reading the invoice's ledger")?;
    row.map(|r| {
        Ok(LedgerState {
            hospital: codec::tenant_id(&r, "tenant_id")?,
            content_hash: codec::hash(&r, "content_hash")?,
            ledger: super::reads::ledger_from_row(&r)?,
        })
    })
    .transpose()
}

async fn store_ledger(conn: &mut SqliteConnection, key: &InvoiceKey, ledger: &Ledger) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE invoices SET claimed_cents = ?, active_claims = ? \
         WHERE issuer = ? AND invoice_code = ? AND invoice_number = ?",
    )
    .bind(ledger.claimed.0 as i64)
    .bind(ledger.active_claims as i64)
    .bind(&key.issuer)
    .bind(&key.code)
    .bind(&key.number)
    .execute(&mut *conn)
    .await
    .context("updating the invoice's ledger")?;
    Ok(())
}
