-- Children's cases: the case, its applications, children and adult
-- parties, and its history of moves along its pathway.

-- A service area can put a law type on a pathway other than the default.
CREATE TABLE area_pathways (
    service_area_id BIGINT NOT NULL REFERENCES service_areas (id),
    law_type TEXT NOT NULL CHECK (law_type IN ('private', 'public', 'adoption')),
    pathway TEXT NOT NULL,
    PRIMARY KEY (service_area_id, law_type)
);

CREATE TABLE cases (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_number TEXT COLLATE "C" NOT NULL,
    court_id BIGINT NOT NULL REFERENCES courts (id),
    law_type TEXT NOT NULL CHECK (law_type IN ('private', 'public', 'adoption')),
    pathway TEXT NOT NULL,
    stage TEXT NOT NULL,
    received_on DATE NOT NULL,
    issued_on DATE CHECK (issued_on IS NULL OR issued_on <= received_on),
    local_authority_id BIGINT REFERENCES local_authorities (id),
    team_id BIGINT NOT NULL REFERENCES teams (id),
    allocated_to BIGINT REFERENCES staff (id),
    closed_on DATE CHECK (closed_on IS NULL OR closed_on >= received_on),
    version BIGINT NOT NULL CHECK (version >= 1),
    UNIQUE (court_id, case_number)
);
CREATE INDEX cases_team ON cases (team_id, stage);
CREATE INDEX cases_allocated ON cases (allocated_to);
CREATE INDEX cases_number ON cases (case_number);

CREATE TABLE applications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    received_on DATE NOT NULL,
    issued_on DATE,
    lead BOOLEAN NOT NULL,
    harm_alleged BOOLEAN NOT NULL
);
CREATE INDEX applications_case ON applications (case_id);

CREATE TABLE children (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    given_name TEXT COLLATE "C" NOT NULL,
    family_name TEXT COLLATE "C" NOT NULL,
    date_of_birth DATE NOT NULL,
    sex TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    disability TEXT NOT NULL,
    first_language TEXT,
    interpreter_needed TEXT NOT NULL,
    first_met_fca_on DATE
);
CREATE INDEX children_case ON children (case_id);
CREATE INDEX children_name ON children (family_name, given_name);

CREATE TABLE parties (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    role TEXT NOT NULL,
    given_name TEXT COLLATE "C" NOT NULL,
    family_name TEXT COLLATE "C" NOT NULL,
    relationship TEXT NOT NULL,
    represented BOOLEAN NOT NULL,
    address TEXT,
    postcode TEXT,
    address_confidential BOOLEAN NOT NULL
);
CREATE INDEX parties_case ON parties (case_id);
CREATE INDEX parties_name ON parties (family_name, given_name);

-- A case's history: append-only, like the audit trail.
CREATE TABLE case_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_stage TEXT,
    to_stage TEXT,
    reason TEXT
);
CREATE INDEX case_events_case ON case_events (case_id, id);
CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_events is append-only';
END;
$$;
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
