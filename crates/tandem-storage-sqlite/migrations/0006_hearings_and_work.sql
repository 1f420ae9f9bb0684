-- Hearings in a case, and the work the service owes the court.
CREATE TABLE hearings (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL CHECK (date(held_on) IS held_on),
    outcome TEXT,
    directions TEXT
) STRICT;
CREATE INDEX hearings_case ON hearings (case_id, held_on);

CREATE TABLE work_items (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    due_on TEXT NOT NULL CHECK (date(due_on) IS due_on),
    filed_on TEXT CHECK (filed_on IS NULL OR date(filed_on) IS filed_on),
    late_reason TEXT,
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
CREATE INDEX work_items_case ON work_items (case_id);
CREATE INDEX work_items_open ON work_items (filed_on, due_on);
