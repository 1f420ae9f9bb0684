-- Requests to the court for more time to file work, and its decisions.
CREATE TABLE work_extensions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    work_item_id BIGINT NOT NULL REFERENCES work_items (id),
    requested_on DATE NOT NULL,
    due_on_before DATE NOT NULL,
    requested_due_on DATE NOT NULL,
    reason TEXT NOT NULL,
    decision TEXT CHECK (decision IS NULL OR decision IN ('granted', 'refused')),
    decided_on DATE
);
CREATE INDEX work_extensions_item ON work_extensions (work_item_id, id);

-- The child's experience: what they want the court to know, how they want
-- to be told the outcome, and the outcome itself (orders as comma-separated codes).
ALTER TABLE children ADD COLUMN wishes_and_feelings TEXT;
ALTER TABLE children ADD COLUMN told_outcome_by TEXT;
ALTER TABLE children ADD COLUMN told_outcome_notes TEXT;
ALTER TABLE children ADD COLUMN outcome_orders TEXT;
ALTER TABLE children ADD COLUMN outcome_lives_with TEXT;
ALTER TABLE children ADD COLUMN outcome_contact TEXT;
ALTER TABLE children ADD COLUMN outcome_recorded_on DATE;
ALTER TABLE children ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- Domestic abuse indicators, section 16A assessments, referrals and checks.
CREATE TABLE risk_entries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    noted_on DATE NOT NULL,
    indicator TEXT,
    source TEXT,
    conclusion TEXT,
    detail TEXT,
    responded_on DATE,
    response TEXT,
    version BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX risk_entries_case ON risk_entries (case_id, noted_on);

-- Case notes, the contact log and management oversight: append-only.
CREATE TABLE case_notes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    contact_with TEXT,
    contact_method TEXT,
    oversight_for TEXT,
    work_item_id BIGINT REFERENCES work_items (id),
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, occurred_on);
CREATE FUNCTION case_notes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_notes is append-only';
END;
$$;
CREATE TRIGGER case_notes_no_update BEFORE UPDATE ON case_notes
    FOR EACH ROW EXECUTE FUNCTION case_notes_append_only();
CREATE TRIGGER case_notes_no_delete BEFORE DELETE ON case_notes
    FOR EACH ROW EXECUTE FUNCTION case_notes_append_only();
