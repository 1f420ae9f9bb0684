-- A version that changes what the rollups hold leaves a row here, and the
-- sums are rebuilt from the case records the next time Tandem starts
-- (Store::migrate), so no one reads the old shape with the new rules.
CREATE TABLE rollups_stale (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    reason TEXT NOT NULL
) STRICT;
-- Durations are now also counted by 13 weeks and by week, with their sums,
-- so that a median reads one span's weeks and one week's days.
INSERT INTO rollups_stale (id, reason) VALUES (1, 'durations counted by 13 weeks and by week');
