-- The organisation's application types, kept by administrators; seeded
-- with the defaults. An application names its type by code, so a type in
-- use cannot be deleted (applications is rebuilt to carry the reference).
CREATE TABLE application_types (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    law_type TEXT NOT NULL CHECK (law_type IN ('private', 'public', 'adoption')),
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
INSERT INTO application_types (code, label, law_type, version) VALUES
    ('child-arrangements', 'Child arrangements order (C100)', 'private', 1),
    ('prohibited-steps', 'Prohibited steps order', 'private', 1),
    ('specific-issue', 'Specific issue order', 'private', 1),
    ('enforcement', 'Enforcement', 'private', 1),
    ('care', 'Care order (s31)', 'public', 1),
    ('supervision', 'Supervision order (s31)', 'public', 1),
    ('emergency-protection', 'Emergency protection order', 'public', 1),
    ('placement', 'Placement order', 'public', 1),
    ('adoption', 'Adoption order', 'adoption', 1);

CREATE TABLE applications_new (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL REFERENCES application_types (code),
    received_on TEXT NOT NULL,
    issued_on TEXT,
    lead INTEGER NOT NULL CHECK (lead IN (0, 1)),
    harm_alleged INTEGER NOT NULL CHECK (harm_alleged IN (0, 1))
) STRICT;
INSERT INTO applications_new SELECT id, case_id, kind, received_on, issued_on, lead, harm_alleged FROM applications;
DROP TABLE applications;
ALTER TABLE applications_new RENAME TO applications;
CREATE INDEX applications_case ON applications (case_id);
CREATE INDEX applications_kind ON applications (kind);
