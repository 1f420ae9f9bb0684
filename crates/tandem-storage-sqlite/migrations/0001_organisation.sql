-- The organisation: regions, service areas, offices, teams, the courts and
-- local authorities each area works with, and staff.
-- STRICT tables: SQLite otherwise stores text in integer columns without complaint.
-- Dates are ISO 8601 text (YYYY-MM-DD), which sorts in date order.

CREATE TABLE regions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;

CREATE TABLE service_areas (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    region_id INTEGER NOT NULL REFERENCES regions (id),
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
CREATE INDEX service_areas_region ON service_areas (region_id);

CREATE TABLE offices (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL,
    town TEXT NOT NULL,
    postcode TEXT NOT NULL,
    service_area_id INTEGER NOT NULL REFERENCES service_areas (id),
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
CREATE INDEX offices_service_area ON offices (service_area_id);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    service_area_id INTEGER NOT NULL REFERENCES service_areas (id),
    office_id INTEGER REFERENCES offices (id),
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
CREATE INDEX teams_service_area ON teams (service_area_id);
CREATE INDEX teams_office ON teams (office_id);

CREATE TABLE courts (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    dfj_area TEXT NOT NULL,
    service_area_id INTEGER NOT NULL REFERENCES service_areas (id),
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
CREATE INDEX courts_service_area ON courts (service_area_id);

CREATE TABLE local_authorities (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    service_area_id INTEGER NOT NULL REFERENCES service_areas (id),
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
CREATE INDEX local_authorities_service_area ON local_authorities (service_area_id);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    job_group TEXT NOT NULL CHECK (job_group IN
        ('practitioner', 'practice-management', 'business-support', 'corporate', 'senior-leadership')),
    grade TEXT NOT NULL,
    fte_thousandths INTEGER NOT NULL CHECK (fte_thousandths BETWEEN 1 AND 1000),
    team_id INTEGER REFERENCES teams (id),
    line_manager_id INTEGER REFERENCES staff (id),
    contract_type TEXT NOT NULL CHECK (contract_type IN
        ('employed', 'self-employed-contractor', 'bank', 'agency')),
    start_date TEXT NOT NULL CHECK (date(start_date) IS start_date),
    end_date TEXT CHECK (end_date IS NULL OR (date(end_date) IS end_date AND end_date >= start_date)),
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
CREATE INDEX staff_team ON staff (team_id);
CREATE INDEX staff_line_manager ON staff (line_manager_id);
CREATE INDEX staff_name ON staff (family_name, given_name);
