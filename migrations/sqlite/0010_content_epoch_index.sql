-- The owner's lookup by content hash, keyed by epoch (seq >> 16: 65,536 records) and then the
-- hash's first 8 bytes, without the tenant (the query checks it on the rows found).
--
-- Content hashes are random, so an index keyed by them alone takes every insert to a random
-- page: once the index outgrows a write group, each new record dirtied a page of its own, which
-- went to the WAL and back through a checkpoint; at 9.6 M records that was most of the write
-- cost (docs/BENCHMARKS.md). Keyed by epoch first, inserts land in the newest epoch's pages
-- only (about 1.2 MB), whatever the database's size. A lookup probes each epoch: 153 at 10 M
-- records. Without the tenant an entry is 16 bytes smaller.
DROP INDEX evidence_owner_content;
CREATE INDEX evidence_content_epoch ON evidence(seq >> 16, substr(content_hash, 1, 8));
