-- Medical e-invoices, insurers' claims and the checks insurers made (docs/invoices.md).
-- Only the single evidence writer writes `invoices` (but for erasure) and `claims`; each
-- issuance, claim, withdrawal and void is also an evidence record (`*_seq`).
-- Amounts are cents.
CREATE TABLE invoices (
    issuer             TEXT NOT NULL,
    invoice_code       TEXT NOT NULL,
    invoice_number     TEXT NOT NULL,
    tenant_id          BLOB NOT NULL REFERENCES tenants(id),
    evidence_seq       INTEGER NOT NULL UNIQUE,
    content_hash       BLOB NOT NULL,
    currency           TEXT NOT NULL,
    total_cents        INTEGER NOT NULL,
    reimbursable_cents INTEGER NOT NULL,
    -- The sum and number of the active (not withdrawn) claims.
    claimed_cents      INTEGER NOT NULL DEFAULT 0 CHECK (claimed_cents BETWEEN 0 AND reimbursable_cents),
    active_claims      INTEGER NOT NULL DEFAULT 0 CHECK (active_claims >= 0),
    -- The canonical JSON as submitted; NULL once erased (the record's salt goes with it).
    body               TEXT,
    erased_ms          INTEGER,
    -- The hospital's detached CMS signature over the canonical bytes, when it sent one.
    signature          BLOB,
    signer             TEXT,
    void_seq           INTEGER,
    void_reason        TEXT,
    PRIMARY KEY (issuer, invoice_code, invoice_number)
) STRICT;
CREATE INDEX invoices_tenant ON invoices(tenant_id, evidence_seq);

-- `id` is the claim record's evidence id. A claim reference is the insurer's own: unique per
-- insurer, and `content_hash` (of the claim record) tells a repeat from a reuse.
CREATE TABLE claims (
    id              BLOB PRIMARY KEY,
    issuer          TEXT NOT NULL,
    invoice_code    TEXT NOT NULL,
    invoice_number  TEXT NOT NULL,
    insurer_id      BLOB NOT NULL REFERENCES tenants(id),
    claim_reference TEXT NOT NULL,
    content_hash    BLOB NOT NULL,
    amount_cents    INTEGER NOT NULL CHECK (amount_cents > 0),
    evidence_seq    INTEGER NOT NULL UNIQUE,
    claimed_ms      INTEGER NOT NULL,
    withdrawal_seq  INTEGER,
    withdrawn_ms    INTEGER,
    UNIQUE (insurer_id, claim_reference),
    FOREIGN KEY (issuer, invoice_code, invoice_number) REFERENCES invoices(issuer, invoice_code, invoice_number)
) STRICT;
CREATE INDEX claims_invoice ON claims(issuer, invoice_code, invoice_number, claimed_ms);

-- Every check an insurer made of an existing invoice number: the access log its hospital reads.
CREATE TABLE invoice_checks (
    issuer         TEXT NOT NULL,
    invoice_code   TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    insurer_id     BLOB NOT NULL REFERENCES tenants(id),
    checked_ms     INTEGER NOT NULL,
    verdict        TEXT NOT NULL
) STRICT;
CREATE INDEX invoice_checks_invoice ON invoice_checks(issuer, invoice_code, invoice_number, checked_ms);
