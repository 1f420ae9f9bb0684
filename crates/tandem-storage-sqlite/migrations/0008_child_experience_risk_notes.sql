-- Requests to the court for more time to file work, and its decisions.
CREATE TABLE work_extensions (
    id INTEGER PRIMARY KEY,
    work_item_id INTEGER NOT NULL REFERENCES work_items (id),
    requested_on TEXT NOT NULL CHECK (date(requested_on) IS requested_on),
    due_on_before TEXT NOT NULL CHECK (date(due_on_before) IS due_on_before),
    requested_due_on TEXT NOT NULL CHECK (date(requested_due_on) IS requested_due_on),
    reason TEXT NOT NULL,
    decision TEXT CHECK (decision IS NULL OR decision IN ('granted', 'refused')),
    decided_on TEXT CHECK (decided_on IS NULL OR date(decided_on) IS decided_on)
) STRICT;
CREATE INDEX work_extensions_item ON work_extensions (work_item_id, id);

-- The child's experience: what they want the court to know, how they want
-- to be told the outcome, and the outcome itself (orders as comma-separated codes).
ALTER TABLE children ADD COLUMN wishes_and_feelings TEXT;
ALTER TABLE children ADD COLUMN told_outcome_by TEXT;
ALTER TABLE children ADD COLUMN told_outcome_notes TEXT;
ALTER TABLE children ADD COLUMN outcome_orders TEXT;
ALTER TABLE children ADD COLUMN outcome_lives_with TEXT;
ALTER TABLE children ADD COLUMN outcome_contact TEXT;
ALTER TABLE children ADD COLUMN outcome_recorded_on TEXT;
ALTER TABLE children ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Domestic abuse indicators, section 16A assessments, referrals and checks.
CREATE TABLE risk_entries (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    noted_on TEXT NOT NULL CHECK (date(noted_on) IS noted_on),
    indicator TEXT,
    source TEXT,
    conclusion TEXT,
    detail TEXT,
    responded_on TEXT CHECK (responded_on IS NULL OR date(responded_on) IS responded_on),
    response TEXT,
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
CREATE INDEX risk_entries_case ON risk_entries (case_id, noted_on);

-- Case notes, the contact log and management oversight: append-only.
CREATE TABLE case_notes (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL CHECK (date(occurred_on) IS occurred_on),
    contact_with TEXT,
    contact_method TEXT,
    oversight_for TEXT,
    work_item_id INTEGER REFERENCES work_items (id),
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX case_notes_case ON case_notes (case_id, occurred_on);
CREATE TRIGGER case_notes_no_update BEFORE UPDATE ON case_notes
BEGIN
    SELECT RAISE(ABORT, 'case_notes is append-only');
END;
CREATE TRIGGER case_notes_no_delete BEFORE DELETE ON case_notes
BEGIN
    SELECT RAISE(ABORT, 'case_notes is append-only');
END;
