-- Cases moving from one team to another (perhaps in another service
-- area): append-only, like the case's history.
CREATE TABLE case_transfers (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    from_team_id INTEGER NOT NULL REFERENCES teams (id),
    to_team_id INTEGER NOT NULL REFERENCES teams (id),
    transferred_on TEXT NOT NULL CHECK (date(transferred_on) IS transferred_on),
    reason TEXT NOT NULL CHECK (reason <> ''),
    transferred_by TEXT NOT NULL,
    CHECK (to_team_id <> from_team_id)
) STRICT;
CREATE INDEX case_transfers_case ON case_transfers (case_id, id);
CREATE TRIGGER case_transfers_no_update BEFORE UPDATE ON case_transfers
BEGIN
    SELECT RAISE(ABORT, 'case_transfers is append-only');
END;
CREATE TRIGGER case_transfers_no_delete BEFORE DELETE ON case_transfers
BEGIN
    SELECT RAISE(ABORT, 'case_transfers is append-only');
END;

-- Why an allocation ended when no one in its team took the case on: a
-- transfer ends it, and the receiving team allocates afresh. (`reason`
-- stays why the allocation was made.)
ALTER TABLE allocations ADD COLUMN ended_reason TEXT
    CHECK (ended_reason IS NULL OR ended_reason = 'transferred');
