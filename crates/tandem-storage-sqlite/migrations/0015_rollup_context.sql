-- A fresh random token whenever anything a case's rollup cells depend on
-- besides the case changes: which service area a team is in and which region
-- that is in, the long-running thresholds and the bank holidays. A copy of
-- those kept in memory is checked with one read, whichever process made the
-- change. Random rather than a counter: a change rolled back must not leave
-- behind a number that the next change would reuse.
CREATE TABLE rollup_context (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL
) STRICT;
INSERT INTO rollup_context (id, token) VALUES (1, lower(hex(randomblob(16))));

CREATE TRIGGER teams_rollup_context_insert AFTER INSERT ON teams
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;
CREATE TRIGGER teams_rollup_context_update AFTER UPDATE OF service_area_id ON teams
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;
CREATE TRIGGER teams_rollup_context_delete AFTER DELETE ON teams
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;

CREATE TRIGGER service_areas_rollup_context_insert AFTER INSERT ON service_areas
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;
CREATE TRIGGER service_areas_rollup_context_update AFTER UPDATE OF region_id ON service_areas
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;
CREATE TRIGGER service_areas_rollup_context_delete AFTER DELETE ON service_areas
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;

CREATE TRIGGER practice_settings_rollup_context_insert AFTER INSERT ON practice_settings
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;
CREATE TRIGGER practice_settings_rollup_context_update
AFTER UPDATE OF private_law_weeks, public_law_weeks ON practice_settings
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;
CREATE TRIGGER practice_settings_rollup_context_delete AFTER DELETE ON practice_settings
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;

CREATE TRIGGER bank_holidays_rollup_context_insert AFTER INSERT ON bank_holidays
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;
CREATE TRIGGER bank_holidays_rollup_context_update AFTER UPDATE OF day ON bank_holidays
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;
CREATE TRIGGER bank_holidays_rollup_context_delete AFTER DELETE ON bank_holidays
BEGIN
    UPDATE rollup_context SET token = lower(hex(randomblob(16)));
END;
