-- The delay projection: for every case, what the drivers-of-delay analysis
-- needs of it, kept with the rollups in the same transaction as each change
-- (tandem_storage's delay module says what `summary` holds). The analysis
-- reads the cases an index range finds, instead of every case's history.
CREATE TABLE delay_cases (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    team_id BIGINT NOT NULL,
    court_id BIGINT NOT NULL,
    local_authority_id BIGINT,
    received_on DATE NOT NULL,
    -- The case's first closure, or 9999-12-31 while it has none.
    considered_until DATE NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX delay_cases_period ON delay_cases (considered_until, received_on);
-- A part of the service, a court or a local authority finds its own.
CREATE INDEX delay_cases_team ON delay_cases (team_id, considered_until);
CREATE INDEX delay_cases_court ON delay_cases (court_id, considered_until);
CREATE INDEX delay_cases_local_authority ON delay_cases (local_authority_id, considered_until);

-- Cases already stored get their rows when the rollups are rebuilt.
INSERT INTO rollups_stale (id, reason) VALUES (1, 'drivers of delay kept per case')
    ON CONFLICT (id) DO UPDATE SET reason = rollups_stale.reason || '; ' || excluded.reason;
