-- Tenants, their API keys, evidence, blocks and co-signatures. Ids are 16-byte UUIDs,
-- hashes 32 bytes, times milliseconds since the Unix epoch (UTC).

CREATE TABLE tenants (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('merchant', 'hospital', 'insurer', 'court', 'notary', 'admin')),
    issuer_code TEXT UNIQUE,
    disabled    INTEGER NOT NULL DEFAULT 0,
    created_ms  INTEGER NOT NULL
) STRICT;

-- Keys are stored as SHA-256 of the key text; the key itself is shown once.
CREATE TABLE api_keys (
    key_hash   BLOB PRIMARY KEY,
    tenant_id  BLOB NOT NULL REFERENCES tenants(id),
    label      TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER
) STRICT;
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

-- One row per record; `seq` is the arrival sequence number the single writer assigns.
CREATE TABLE evidence (
    seq          INTEGER PRIMARY KEY,
    id           BLOB NOT NULL UNIQUE,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id),
    kind         TEXT NOT NULL,
    content_hash BLOB NOT NULL,
    salt         BLOB NOT NULL,
    meta_hash    BLOB NOT NULL,
    metadata     TEXT,
    received_ms  INTEGER NOT NULL,
    leaf_hash    BLOB NOT NULL
) STRICT;
CREATE INDEX evidence_owner ON evidence(tenant_id, seq);
CREATE INDEX evidence_owner_content ON evidence(tenant_id, content_hash);

-- A repeated POST with the same key and body returns the first result: the records
-- [first_seq, first_seq + count).
CREATE TABLE idempotency (
    tenant_id    BLOB NOT NULL,
    key          TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    first_seq    INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
) STRICT;

-- One row per sealed block, covering evidence seq [first_seq, first_seq + leaf_count).
CREATE TABLE blocks (
    height      INTEGER PRIMARY KEY,
    first_seq   INTEGER NOT NULL,
    leaf_count  INTEGER NOT NULL,
    header      TEXT NOT NULL,
    block_hash  BLOB NOT NULL,
    sealed_ms   INTEGER NOT NULL,
    anchored_ms INTEGER
) STRICT;
CREATE INDEX blocks_first_seq ON blocks(first_seq);

CREATE TABLE cosignatures (
    height    INTEGER NOT NULL REFERENCES blocks(height),
    witness   TEXT NOT NULL,
    role      TEXT NOT NULL,
    cms       BLOB NOT NULL,
    signed_ms INTEGER NOT NULL,
    PRIMARY KEY (height, witness)
) STRICT;
CREATE INDEX cosignatures_witness ON cosignatures(witness, height);
