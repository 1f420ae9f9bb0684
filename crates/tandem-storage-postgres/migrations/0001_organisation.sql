-- The organisation: regions, service areas, offices, teams, the courts and
-- local authorities each area works with, and staff.
-- Sorted text columns use the "C" collation so lists come out in the same
-- order as on SQLite, whatever locale the server was initialised with.

CREATE TABLE regions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT COLLATE "C" NOT NULL UNIQUE,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    version BIGINT NOT NULL CHECK (version >= 1)
);

CREATE TABLE service_areas (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT COLLATE "C" NOT NULL UNIQUE,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    region_id BIGINT NOT NULL REFERENCES regions (id),
    version BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX service_areas_region ON service_areas (region_id);

CREATE TABLE offices (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT COLLATE "C" NOT NULL UNIQUE,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    address TEXT NOT NULL,
    town TEXT NOT NULL,
    postcode TEXT NOT NULL,
    service_area_id BIGINT NOT NULL REFERENCES service_areas (id),
    version BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX offices_service_area ON offices (service_area_id);

CREATE TABLE teams (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT COLLATE "C" NOT NULL UNIQUE,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    service_area_id BIGINT NOT NULL REFERENCES service_areas (id),
    office_id BIGINT REFERENCES offices (id),
    version BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX teams_service_area ON teams (service_area_id);
CREATE INDEX teams_office ON teams (office_id);

CREATE TABLE courts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT COLLATE "C" NOT NULL UNIQUE,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    dfj_area TEXT NOT NULL,
    service_area_id BIGINT NOT NULL REFERENCES service_areas (id),
    version BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX courts_service_area ON courts (service_area_id);

CREATE TABLE local_authorities (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT COLLATE "C" NOT NULL UNIQUE,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    service_area_id BIGINT NOT NULL REFERENCES service_areas (id),
    version BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX local_authorities_service_area ON local_authorities (service_area_id);

CREATE TABLE staff (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    given_name TEXT COLLATE "C" NOT NULL,
    family_name TEXT COLLATE "C" NOT NULL,
    job_group TEXT NOT NULL CHECK (job_group IN
        ('practitioner', 'practice-management', 'business-support', 'corporate', 'senior-leadership')),
    grade TEXT NOT NULL,
    fte_thousandths BIGINT NOT NULL CHECK (fte_thousandths BETWEEN 1 AND 1000),
    team_id BIGINT REFERENCES teams (id),
    line_manager_id BIGINT REFERENCES staff (id),
    contract_type TEXT NOT NULL CHECK (contract_type IN
        ('employed', 'self-employed-contractor', 'bank', 'agency')),
    start_date DATE NOT NULL,
    end_date DATE CHECK (end_date IS NULL OR end_date >= start_date),
    version BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX staff_team ON staff (team_id);
CREATE INDEX staff_line_manager ON staff (line_manager_id);
CREATE INDEX staff_name ON staff (family_name, given_name);
