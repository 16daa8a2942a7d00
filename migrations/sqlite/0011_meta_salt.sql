-- Leaf v2 (docs/formats.md §10): the key of a record's keyed meta_hash, 32 random bytes drawn
-- at registration. NULL for records registered before, whose meta_hash stays unsalted (leaf v1).
ALTER TABLE evidence ADD COLUMN meta_salt BLOB;
