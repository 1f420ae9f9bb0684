-- Cases moving from one team to another (perhaps in another service
-- area): append-only, like the case's history.
CREATE TABLE case_transfers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    from_team_id BIGINT NOT NULL REFERENCES teams (id),
    to_team_id BIGINT NOT NULL REFERENCES teams (id),
    transferred_on DATE NOT NULL,
    reason TEXT NOT NULL CHECK (reason <> ''),
    transferred_by TEXT NOT NULL,
    CHECK (to_team_id <> from_team_id)
);
CREATE INDEX case_transfers_case ON case_transfers (case_id, id);
CREATE FUNCTION case_transfers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_transfers is append-only';
END;
$$;
CREATE TRIGGER case_transfers_no_update BEFORE UPDATE ON case_transfers
    FOR EACH ROW EXECUTE FUNCTION case_transfers_append_only();
CREATE TRIGGER case_transfers_no_delete BEFORE DELETE ON case_transfers
    FOR EACH ROW EXECUTE FUNCTION case_transfers_append_only();

-- Why an allocation ended when no one in its team took the case on: a
-- transfer ends it, and the receiving team allocates afresh. (`reason`
-- stays why the allocation was made.)
ALTER TABLE allocations ADD COLUMN ended_reason TEXT
    CHECK (ended_reason IS NULL OR ended_reason = 'transferred');
