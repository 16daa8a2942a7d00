-- The blocks not yet anchored are few and at the end of the chain: a partial index finds the
-- oldest of them (the cosigners, /metrics, the scheduled audit) without reading every block.
CREATE INDEX blocks_unanchored ON blocks(height) WHERE anchored_ms IS NULL;
