-- The organisation's target for a measure, judged red, amber or green.
CREATE TABLE measure_targets (
    measure_id TEXT PRIMARY KEY,
    target REAL NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
