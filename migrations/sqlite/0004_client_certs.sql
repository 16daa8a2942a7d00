-- Client certificates (mTLS) mapped to tenants by an operator (`notarium admin tenant cert
-- add`). `fingerprint` is SHA-256 of the certificate's DER. A revoked mapping stays for the
-- record; adding the same certificate again reinstates it.
CREATE TABLE client_certs (
    fingerprint  BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id),
    subject      TEXT NOT NULL,
    not_after_ms INTEGER NOT NULL,
    created_ms   INTEGER NOT NULL,
    revoked_ms   INTEGER
) STRICT;
CREATE INDEX client_certs_tenant ON client_certs(tenant_id);
