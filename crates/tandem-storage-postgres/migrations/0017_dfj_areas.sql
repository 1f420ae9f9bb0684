-- Designated Family Judge areas as places of their own, so that measures
-- are counted for each (the Ministry publishes durations by DFJ area). A
-- court still names its area; this table follows the names courts use.
CREATE TABLE dfj_areas (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE
);
INSERT INTO dfj_areas (name) SELECT DISTINCT dfj_area FROM courts ORDER BY dfj_area;

-- Which DFJ area a court is in is part of the rollup context (0015).
CREATE FUNCTION courts_dfj_area() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dfj_areas (name) VALUES (NEW.dfj_area) ON CONFLICT (name) DO NOTHING;
    UPDATE rollup_context SET token = gen_random_uuid()::text;
    RETURN NULL;
END;
$$;
CREATE TRIGGER courts_dfj_area
    AFTER INSERT OR UPDATE OF dfj_area ON courts
    FOR EACH ROW EXECUTE FUNCTION courts_dfj_area();

-- Cases already counted are counted again, in their DFJ areas too.
INSERT INTO rollups_stale (id, reason) VALUES (1, 'DFJ areas counted')
    ON CONFLICT (id) DO UPDATE SET reason = rollups_stale.reason || '; ' || excluded.reason;
