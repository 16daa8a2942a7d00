-- The log halted by a fork (issue 23): a witness refused a header with `fork`, so the database
-- was rolled back or tampered with and nothing registered now could be anchored. While the row
-- exists no node takes new evidence (`503 log_halted`); `notarium admin log resume` deletes it.
-- One row at most: the first refusal, which witness gave it, the height that witness last
-- co-signed (what the database must reach again), and when.
-- (0002 is left to `0002_meta_salt.sql`, written on another branch.)
CREATE TABLE log_halt (
    id        smallint PRIMARY KEY CHECK (id = 1),
    reason    text NOT NULL,
    witness   text NOT NULL,
    height    bigint,
    halted_ms bigint NOT NULL
);
