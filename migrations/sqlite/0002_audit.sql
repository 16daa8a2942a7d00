-- The scheduled audit's cursor: the last block it found consistent, so that the next run (also
-- after a restart) continues after it. One row at most. `log` and `end_seq` are that block's log
-- name and the sequence number after its last record: the next block must chain to them.
CREATE TABLE audit_cursor (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    height     INTEGER NOT NULL,
    block_hash BLOB NOT NULL,
    log        TEXT NOT NULL,
    end_seq    INTEGER NOT NULL,
    audited_ms INTEGER NOT NULL
) STRICT;
