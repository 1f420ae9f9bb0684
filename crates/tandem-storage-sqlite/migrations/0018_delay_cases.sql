-- The delay projection: for every case, what the drivers-of-delay analysis
-- needs of it, kept with the rollups in the same transaction as each change
-- (tandem_storage's delay module says what `summary` holds). The analysis
-- reads the cases an index range finds, instead of every case's history.
CREATE TABLE delay_cases (
    case_id INTEGER NOT NULL UNIQUE REFERENCES cases (id),
    team_id INTEGER NOT NULL,
    court_id INTEGER NOT NULL,
    local_authority_id INTEGER,
    received_on TEXT NOT NULL CHECK (date(received_on) IS received_on),
    -- The case's first closure, or 9999-12-31 while it has none.
    considered_until TEXT NOT NULL CHECK (date(considered_until) IS considered_until),
    summary TEXT NOT NULL,
    -- Stored in the order an analysis reads them, so that a national
    -- year's hundred thousand rows lie together rather than across the file.
    PRIMARY KEY (considered_until, case_id)
) STRICT, WITHOUT ROWID;
-- A part of the service, a court or a local authority finds its own.
CREATE INDEX delay_cases_team ON delay_cases (team_id, considered_until);
CREATE INDEX delay_cases_court ON delay_cases (court_id, considered_until);
CREATE INDEX delay_cases_local_authority ON delay_cases (local_authority_id, considered_until);

-- Cases already stored get their rows when the rollups are rebuilt.
INSERT INTO rollups_stale (id, reason) VALUES (1, 'drivers of delay kept per case')
    ON CONFLICT (id) DO UPDATE SET reason = rollups_stale.reason || '; ' || excluded.reason;
