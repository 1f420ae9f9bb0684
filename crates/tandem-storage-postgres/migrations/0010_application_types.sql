-- The organisation's application types, kept by administrators; seeded
-- with the defaults. An application names its type by code, so a type in
-- use cannot be deleted.
CREATE TABLE application_types (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    label TEXT COLLATE "C" NOT NULL,
    law_type TEXT NOT NULL CHECK (law_type IN ('private', 'public', 'adoption')),
    version BIGINT NOT NULL CHECK (version >= 1)
);
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

ALTER TABLE applications
    ADD CONSTRAINT applications_kind_fkey FOREIGN KEY (kind) REFERENCES application_types (code);
CREATE INDEX applications_kind ON applications (kind);
