-- A fresh random token whenever anything a case's rollup cells depend on
-- besides the case changes: which service area a team is in and which region
-- that is in, the long-running thresholds and the bank holidays. A copy of
-- those kept in memory is checked with one read, whichever process made the
-- change. Random rather than a counter: a change rolled back must not leave
-- behind a number that the next change would reuse.
CREATE TABLE rollup_context (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL
);
INSERT INTO rollup_context (id, token) VALUES (1, gen_random_uuid()::text);

CREATE FUNCTION rollup_context_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rollup_context SET token = gen_random_uuid()::text;
    RETURN NULL;
END;
$$;
CREATE TRIGGER teams_rollup_context
    AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF service_area_id ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_context_changed();
CREATE TRIGGER service_areas_rollup_context
    AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF region_id ON service_areas
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_context_changed();
CREATE TRIGGER practice_settings_rollup_context
    AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF private_law_weeks, public_law_weeks ON practice_settings
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_context_changed();
CREATE TRIGGER bank_holidays_rollup_context
    AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF day ON bank_holidays
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_context_changed();
