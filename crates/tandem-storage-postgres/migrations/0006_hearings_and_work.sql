-- Hearings in a case, and the work the service owes the court.
CREATE TABLE hearings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    held_on DATE NOT NULL,
    outcome TEXT,
    directions TEXT
);
CREATE INDEX hearings_case ON hearings (case_id, held_on);

CREATE TABLE work_items (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    due_on DATE NOT NULL,
    filed_on DATE,
    late_reason TEXT,
    version BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX work_items_case ON work_items (case_id);
CREATE INDEX work_items_open ON work_items (filed_on, due_on);
