-- A DFJ area is numbered once, when a court first names it. ON CONFLICT DO
-- NOTHING alone takes a number from the sequence for every court that names
-- a known area, so the same courts were numbered with gaps here and without
-- them on SQLite, and `dfj-area-N` meant different areas on the two.
CREATE OR REPLACE FUNCTION courts_dfj_area() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM dfj_areas WHERE name = NEW.dfj_area) THEN
        INSERT INTO dfj_areas (name) VALUES (NEW.dfj_area) ON CONFLICT (name) DO NOTHING;
    END IF;
    UPDATE rollup_context SET token = gen_random_uuid()::text;
    RETURN NULL;
END;
$$;
