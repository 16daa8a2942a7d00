//! Applying the invoice operations ([`InvoiceOp`]) inside the evidence writer's transaction.
//! Each operation first locks its invoice's row (`FOR UPDATE`): a decision is taken on the
//! state the last committed operation left, whichever process wrote it, and the `CHECK` on
//! `claimed_cents` refuses any write past the reimbursable amount.

use anyhow::Context;
use sqlx::postgres::PgConnection;

use super::super::codec::{self, big, id_bytes};
use crate::domain::invoice::{Amount, Ledger};
use crate::domain::{Hash, TenantId};
use crate::store::evidence::EvidenceRecord;
use crate::store::invoices::{InvoiceKey, InvoiceOp, NewClaim, NewInvoice, OpRefused, VoidInvoice, Withdrawal};

const KEY_IS: &str = "issuer = $1 AND invoice_code = $2 AND invoice_number = $3";

/// Applies `op` for `caller` on the writer's transaction; on success the op's rows reference
/// `record`, which the writer then inserts.
pub async fn apply(
    conn: &mut PgConnection,
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

/// The primary key refuses a second invoice with one issuer, code and number; the insert does
/// nothing then (`ON CONFLICT DO NOTHING`), so the transaction goes on with the rest.
async fn issue(
    conn: &mut PgConnection,
    new: &NewInvoice,
    caller: &TenantId,
    record: &EvidenceRecord,
) -> anyhow::Result<Result<(), OpRefused>> {
    let (signature, signer) = new.signature.clone().unzip();
    let done = sqlx::query(
        "INSERT INTO invoices (issuer, invoice_code, invoice_number, tenant_id, evidence_seq, content_hash, currency, \
         total_cents, reimbursable_cents, body, signature, signer) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (issuer, invoice_code, invoice_number) DO NOTHING",
    )
    .bind(&new.key.issuer)
    .bind(&new.key.code)
    .bind(&new.key.number)
    .bind(id_bytes(caller))
    .bind(big(record.seq))
    .bind(record.content_hash.as_bytes().as_slice())
    .bind(&new.currency)
    .bind(big(new.total.0))
    .bind(big(new.reimbursable.0))
    .bind(&new.body)
    .bind(signature)
    .bind(signer)
    .execute(&mut *conn)
    .await
    .context("inserting the invoice")?;
    Ok(if done.rows_affected() == 1 { Ok(()) } else { Err(OpRefused::InvoiceExists) })
}

async fn claim(
    conn: &mut PgConnection,
    claim: &NewClaim,
    caller: &TenantId,
    record: &EvidenceRecord,
) -> anyhow::Result<Result<(), OpRefused>> {
    // The invoice's row lock first: two claims on one invoice are decided one after the other.
    let state = ledger_of(conn, &claim.key).await?;
    let earlier = sqlx::query("SELECT id, content_hash FROM claims WHERE insurer_id = $1 AND claim_reference = $2")
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
    let Some(mut state) = state.filter(|s| s.content_hash == claim.invoice_hash) else {
        return Ok(Err(OpRefused::NotFound));
    };
    if let Err(refusal) = state.ledger.claim(claim.amount) {
        return Ok(Err(OpRefused::Ledger(refusal)));
    }
    store_ledger(conn, &claim.key, &state.ledger).await?;
    sqlx::query(
        "INSERT INTO claims (id, issuer, invoice_code, invoice_number, insurer_id, claim_reference, content_hash, \
         amount_cents, evidence_seq, claimed_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id_bytes(&record.id))
    .bind(&claim.key.issuer)
    .bind(&claim.key.code)
    .bind(&claim.key.number)
    .bind(id_bytes(caller))
    .bind(&claim.reference)
    .bind(record.content_hash.as_bytes().as_slice())
    .bind(big(claim.amount.0))
    .bind(big(record.seq))
    .bind(record.received.unix_millis())
    .execute(&mut *conn)
    .await
    .context("inserting the claim")?;
    Ok(Ok(()))
}

async fn withdraw(
    conn: &mut PgConnection,
    w: &Withdrawal,
    caller: &TenantId,
    record: &EvidenceRecord,
) -> anyhow::Result<Result<(), OpRefused>> {
    let Some(mut state) = ledger_of(conn, &w.key).await? else { return Ok(Err(OpRefused::NotFound)) };
    let row = sqlx::query(
        "SELECT amount_cents, withdrawal_seq FROM claims \
         WHERE id = $4 AND insurer_id = $5 AND issuer = $1 AND invoice_code = $2 AND invoice_number = $3",
    )
    .bind(&w.key.issuer)
    .bind(&w.key.code)
    .bind(&w.key.number)
    .bind(id_bytes(&w.claim))
    .bind(id_bytes(caller))
    .fetch_optional(&mut *conn)
    .await
    .context("reading the claim")?;
    let Some(row) = row else { return Ok(Err(OpRefused::NotFound)) };
    if codec::maybe_uint(&row, "withdrawal_seq")?.is_some() {
        return Ok(Err(OpRefused::AlreadyWithdrawn));
    }
    state.ledger.withdraw(Amount(codec::uint(&row, "amount_cents")?));
    store_ledger(conn, &w.key, &state.ledger).await?;
    sqlx::query("UPDATE claims SET withdrawal_seq = $1, withdrawn_ms = $2 WHERE id = $3")
        .bind(big(record.seq))
        .bind(record.received.unix_millis())
        .bind(id_bytes(&w.claim))
        .execute(&mut *conn)
        .await
        .context("withdrawing the claim")?;
    Ok(Ok(()))
}

async fn void(
    conn: &mut PgConnection,
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
    sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE invoices SET void_seq = $4, void_reason = $5 WHERE {KEY_IS}")))
        .bind(&v.key.issuer)
        .bind(&v.key.code)
        .bind(&v.key.number)
        .bind(big(record.seq))
        .bind(&v.reason)
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

/// The invoice's ledger, its row locked until the writer's transaction ends.
async fn ledger_of(conn: &mut PgConnection, key: &InvoiceKey) -> anyhow::Result<Option<LedgerState>> {
    let sql = format!(
        "SELECT tenant_id, content_hash, reimbursable_cents, claimed_cents, active_claims, void_seq FROM invoices \
         WHERE {KEY_IS} FOR UPDATE"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&key.issuer)
        .bind(&key.code)
        .bind(&key.number)
        .fetch_optional(&mut *conn)
        .await
        .context("locking the invoice's ledger")?;
    row.map(|r| {
        Ok(LedgerState {
            hospital: codec::tenant_id(&r, "tenant_id")?,
            content_hash: codec::hash(&r, "content_hash")?,
            ledger: super::reads::ledger_from_row(&r)?,
        })
    })
    .transpose()
}

async fn store_ledger(conn: &mut PgConnection, key: &InvoiceKey, ledger: &Ledger) -> anyhow::Result<()> {
    let sql = format!("UPDATE invoices SET claimed_cents = $4, active_claims = $5 WHERE {KEY_IS}");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&key.issuer)
        .bind(&key.code)
        .bind(&key.number)
        .bind(big(ledger.claimed.0))
        .bind(i64::from(ledger.active_claims))
        .execute(&mut *conn)
        .await
        .context("updating the invoice's ledger")?;
    Ok(())
}
