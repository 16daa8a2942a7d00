-- Page sessions: a logged-in browser holds a random token in an HttpOnly cookie; only its
-- SHA-256 is stored. A session lives no longer than the API key it was opened with.

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    key_hash   BLOB NOT NULL REFERENCES api_keys(key_hash),
    csrf       TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expires ON sessions(expires_ms);
