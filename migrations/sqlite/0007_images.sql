-- Registered images (evidence of kind `image` made through POST /v1/images): what search and
-- the public pages need beside the committed metadata. `fingerprints` is the PDQ hashes, 32
-- bytes each, loaded into the in-memory index at start; empty when the picture is too flat to
-- be found other than by its content hash. `public` is the owner's choice to show title,
-- author, name and thumbnail; the thumbnail is a JPEG of at most 320 px a side.
CREATE TABLE images (
    seq          INTEGER PRIMARY KEY REFERENCES evidence(seq),
    content_hash BLOB NOT NULL,
    public       INTEGER NOT NULL CHECK (public IN (0, 1)),
    fingerprints BLOB NOT NULL,
    thumbnail    BLOB NOT NULL
) STRICT;
CREATE INDEX images_content ON images(content_hash, seq);
