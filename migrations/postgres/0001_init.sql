-- The PostgreSQL schema: the tables of migrations/sqlite/0001-0010 as they stand after 0010,
-- in one migration (this database starts at that point), plus `log_state`, the coordination
-- row that numbers evidence across processes.
--
-- Types, chosen so that both backends store the same values and share one codec:
-- * ids are the 16 bytes of their UUID, hashes, salts, fingerprints and signatures `bytea`;
-- * sequence numbers, heights, counts and amounts (cents) `bigint`;
-- * times are `bigint` milliseconds since the Unix epoch (UTC), exactly as in SQLite, not
--   `timestamptz`: the stable formats truncate to milliseconds, the code already converts at one
--   place (`Timestamp::{unix_millis, from_unix_millis}`), and no time zone setting of a session
--   can change what is read back;
-- * flags `boolean`; words (kinds, roles) `text` with the same spellings;
-- * metadata and invoice bodies `text`: the canonical JSON exactly as committed (`jsonb` would
--   re-order keys and re-spell numbers).

-- The next arrival sequence number. The evidence writer locks this row first in each of its
-- transactions (`SELECT ... FOR UPDATE`), numbers its records from it and moves it on before
-- committing: writers in several processes are serialised by the row lock, commit order is
-- sequence order, and a number is never skipped or handed out twice.
CREATE TABLE log_state (
    id       smallint PRIMARY KEY CHECK (id = 1),
    next_seq bigint NOT NULL CHECK (next_seq >= 0)
);
INSERT INTO log_state (id, next_seq) VALUES (1, 0);

CREATE TABLE tenants (
    id          bytea PRIMARY KEY,
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('merchant', 'hospital', 'insurer', 'court', 'notary', 'admin')),
    issuer_code text UNIQUE,
    disabled    boolean NOT NULL DEFAULT false,
    created_ms  bigint NOT NULL
);

-- Keys are stored as SHA-256 of the key text; the key itself is shown once.
CREATE TABLE api_keys (
    key_hash   bytea PRIMARY KEY,
    tenant_id  bytea NOT NULL REFERENCES tenants(id),
    label      text NOT NULL,
    created_ms bigint NOT NULL,
    revoked_ms bigint
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

-- One row per record. `salt` is empty once erased; `meta_hash` is empty for a record without
-- metadata (the hash of `{}`).
CREATE TABLE evidence (
    seq          bigint PRIMARY KEY,
    id           bytea NOT NULL UNIQUE,
    tenant_id    bytea NOT NULL REFERENCES tenants(id),
    kind         text NOT NULL,
    content_hash bytea NOT NULL,
    salt         bytea NOT NULL,
    meta_hash    bytea NOT NULL,
    metadata     text,
    received_ms  bigint NOT NULL,
    leaf_hash    bytea NOT NULL
);
CREATE INDEX evidence_owner ON evidence(tenant_id, seq);
-- The owner's lookup by content hash, keyed by epoch (seq >> 16) and the hash's first 8 bytes,
-- as SQLite's migration 0010 explains: inserts land in the newest epoch's pages only.
CREATE INDEX evidence_content_epoch ON evidence((seq >> 16), substr(content_hash, 1, 8));

-- A repeated POST with the same key and body returns the first result: the records
-- [first_seq, first_seq + count).
CREATE TABLE idempotency (
    tenant_id    bytea NOT NULL,
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    first_seq    bigint NOT NULL,
    count        bigint NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

-- One row per sealed block, covering evidence seq [first_seq, first_seq + leaf_count). The
-- primary key makes a second block at one height impossible, whichever node seals.
CREATE TABLE blocks (
    height      bigint PRIMARY KEY,
    first_seq   bigint NOT NULL,
    leaf_count  bigint NOT NULL,
    header      text NOT NULL,
    block_hash  bytea NOT NULL,
    sealed_ms   bigint NOT NULL,
    anchored_ms bigint
);
CREATE INDEX blocks_first_seq ON blocks(first_seq);
CREATE INDEX blocks_unanchored ON blocks(height) WHERE anchored_ms IS NULL;

CREATE TABLE block_tiles (
    height bigint PRIMARY KEY REFERENCES blocks(height),
    roots  bytea NOT NULL
);

CREATE TABLE cosignatures (
    height    bigint NOT NULL REFERENCES blocks(height),
    witness   text NOT NULL,
    role      text NOT NULL,
    cms       bytea NOT NULL,
    signed_ms bigint NOT NULL,
    PRIMARY KEY (height, witness)
);
CREATE INDEX cosignatures_witness ON cosignatures(witness, height);

-- The scheduled audit's cursor (one row at most).
CREATE TABLE audit_cursor (
    id         smallint PRIMARY KEY CHECK (id = 1),
    height     bigint NOT NULL,
    block_hash bytea NOT NULL,
    log        text NOT NULL,
    end_seq    bigint NOT NULL,
    audited_ms bigint NOT NULL
);

-- Page sessions; only the token's SHA-256 is stored.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    key_hash   bytea NOT NULL REFERENCES api_keys(key_hash),
    csrf       text NOT NULL,
    created_ms bigint NOT NULL,
    expires_ms bigint NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_ms);

-- Client certificates (mTLS) mapped to tenants by SHA-256 of their DER.
CREATE TABLE client_certs (
    fingerprint  bytea PRIMARY KEY,
    tenant_id    bytea NOT NULL REFERENCES tenants(id),
    subject      text NOT NULL,
    not_after_ms bigint NOT NULL,
    created_ms   bigint NOT NULL,
    revoked_ms   bigint
);
CREATE INDEX client_certs_tenant ON client_certs(tenant_id);

-- Medical e-invoices (docs/invoices.md). The natural key is unique per issuer; the CHECK keeps
-- the active claims within the reimbursable amount whatever writes the row.
CREATE TABLE invoices (
    issuer             text NOT NULL,
    invoice_code       text NOT NULL,
    invoice_number     text NOT NULL,
    tenant_id          bytea NOT NULL REFERENCES tenants(id),
    evidence_seq       bigint NOT NULL UNIQUE,
    content_hash       bytea NOT NULL,
    currency           text NOT NULL,
    total_cents        bigint NOT NULL,
    reimbursable_cents bigint NOT NULL,
    claimed_cents      bigint NOT NULL DEFAULT 0 CHECK (claimed_cents BETWEEN 0 AND reimbursable_cents),
    active_claims      bigint NOT NULL DEFAULT 0 CHECK (active_claims >= 0),
    -- The canonical JSON as submitted; NULL once erased (the record's salt goes with it).
    body               text,
    erased_ms          bigint,
    signature          bytea,
    signer             text,
    void_seq           bigint,
    void_reason        text,
    PRIMARY KEY (issuer, invoice_code, invoice_number)
);
CREATE INDEX invoices_tenant ON invoices(tenant_id, evidence_seq);

CREATE TABLE claims (
    id              bytea PRIMARY KEY,
    issuer          text NOT NULL,
    invoice_code    text NOT NULL,
    invoice_number  text NOT NULL,
    insurer_id      bytea NOT NULL REFERENCES tenants(id),
    claim_reference text NOT NULL,
    content_hash    bytea NOT NULL,
    amount_cents    bigint NOT NULL CHECK (amount_cents > 0),
    evidence_seq    bigint NOT NULL UNIQUE,
    claimed_ms      bigint NOT NULL,
    withdrawal_seq  bigint,
    withdrawn_ms    bigint,
    UNIQUE (insurer_id, claim_reference),
    FOREIGN KEY (issuer, invoice_code, invoice_number) REFERENCES invoices(issuer, invoice_code, invoice_number)
);
CREATE INDEX claims_invoice ON claims(issuer, invoice_code, invoice_number, claimed_ms);

-- Every check an insurer made of an existing invoice: the access log its hospital reads. `id`
-- orders checks of one millisecond (SQLite's rowid).
CREATE TABLE invoice_checks (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    issuer         text NOT NULL,
    invoice_code   text NOT NULL,
    invoice_number text NOT NULL,
    insurer_id     bytea NOT NULL REFERENCES tenants(id),
    checked_ms     bigint NOT NULL,
    verdict        text NOT NULL
);
CREATE INDEX invoice_checks_invoice ON invoice_checks(issuer, invoice_code, invoice_number, checked_ms);

-- Registered images: what search and the public pages need beside the committed metadata.
CREATE TABLE images (
    seq          bigint PRIMARY KEY REFERENCES evidence(seq),
    content_hash bytea NOT NULL,
    public       boolean NOT NULL,
    fingerprints bytea NOT NULL,
    thumbnail    bytea NOT NULL
);
CREATE INDEX images_content ON images(content_hash, seq);
