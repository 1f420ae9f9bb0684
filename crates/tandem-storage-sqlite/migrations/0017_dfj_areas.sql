-- Designated Family Judge areas as places of their own, so that measures
-- are counted for each (the Ministry publishes durations by DFJ area). A
-- court still names its area; this table follows the names courts use.
CREATE TABLE dfj_areas (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO dfj_areas (name) SELECT DISTINCT dfj_area FROM courts ORDER BY dfj_area;

-- Which DFJ area a court is in is part of the rollup context (0015).
CREATE TRIGGER courts_dfj_area_insert AFTER INSERT ON courts
BEGIN
    INSERT OR IGNORE INTO dfj_areas (name) VALUES (NEW.dfj_area);
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;
CREATE TRIGGER courts_dfj_area_update AFTER UPDATE OF dfj_area ON courts
BEGIN
    INSERT OR IGNORE INTO dfj_areas (name) VALUES (NEW.dfj_area);
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;

-- Cases already counted are counted again, in their DFJ areas too.
INSERT INTO rollups_stale (id, reason) VALUES (1, 'DFJ areas counted')
    ON CONFLICT (id) DO UPDATE SET reason = rollups_stale.reason || '; ' || excluded.reason;
