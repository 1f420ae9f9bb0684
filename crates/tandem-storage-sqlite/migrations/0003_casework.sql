-- Children's cases: the case, its applications, children and adult
-- parties, and its history of moves along its pathway.

-- A service area can put a law type on a pathway other than the default.
CREATE TABLE area_pathways (
    service_area_id INTEGER NOT NULL REFERENCES service_areas (id),
    law_type TEXT NOT NULL CHECK (law_type IN ('private', 'public', 'adoption')),
    pathway TEXT NOT NULL,
    PRIMARY KEY (service_area_id, law_type)
) STRICT;

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    case_number TEXT NOT NULL,
    court_id INTEGER NOT NULL REFERENCES courts (id),
    law_type TEXT NOT NULL CHECK (law_type IN ('private', 'public', 'adoption')),
    pathway TEXT NOT NULL,
    stage TEXT NOT NULL,
    received_on TEXT NOT NULL CHECK (date(received_on) IS received_on),
    issued_on TEXT CHECK (issued_on IS NULL OR (date(issued_on) IS issued_on AND issued_on <= received_on)),
    local_authority_id INTEGER REFERENCES local_authorities (id),
    team_id INTEGER NOT NULL REFERENCES teams (id),
    allocated_to INTEGER REFERENCES staff (id),
    closed_on TEXT CHECK (closed_on IS NULL OR (date(closed_on) IS closed_on AND closed_on >= received_on)),
    version INTEGER NOT NULL CHECK (version >= 1),
    UNIQUE (court_id, case_number)
) STRICT;
CREATE INDEX cases_team ON cases (team_id, stage);
CREATE INDEX cases_allocated ON cases (allocated_to);
CREATE INDEX cases_number ON cases (case_number);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    received_on TEXT NOT NULL,
    issued_on TEXT,
    lead INTEGER NOT NULL CHECK (lead IN (0, 1)),
    harm_alleged INTEGER NOT NULL CHECK (harm_alleged IN (0, 1))
) STRICT;
CREATE INDEX applications_case ON applications (case_id);

CREATE TABLE children (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    sex TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    disability TEXT NOT NULL,
    first_language TEXT,
    interpreter_needed TEXT NOT NULL,
    first_met_fca_on TEXT
) STRICT;
CREATE INDEX children_case ON children (case_id);
CREATE INDEX children_name ON children (family_name, given_name);

CREATE TABLE parties (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    role TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    relationship TEXT NOT NULL,
    represented INTEGER NOT NULL CHECK (represented IN (0, 1)),
    address TEXT,
    postcode TEXT,
    address_confidential INTEGER NOT NULL CHECK (address_confidential IN (0, 1))
) STRICT;
CREATE INDEX parties_case ON parties (case_id);
CREATE INDEX parties_name ON parties (family_name, given_name);

-- A case's history: append-only, like the audit trail.
CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_stage TEXT,
    to_stage TEXT,
    reason TEXT
) STRICT;
CREATE INDEX case_events_case ON case_events (case_id, id);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;
