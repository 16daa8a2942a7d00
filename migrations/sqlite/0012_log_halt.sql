-- The log halted by a fork (issue 23): a witness refused a header with `fork`, so the database
-- was rolled back or tampered with and nothing registered now could be anchored. While the row
-- exists no node takes new evidence (`503 log_halted`); `notarium admin log resume` deletes it.
-- One row at most: the first refusal, which witness gave it, the height that witness last
-- co-signed (what the database must reach again), and when.
-- (0011 is left to `0011_meta_salt.sql`, written on another branch.)
CREATE TABLE log_halt (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    reason    TEXT NOT NULL,
    witness   TEXT NOT NULL,
    height    INTEGER,
    halted_ms INTEGER NOT NULL
) STRICT;
