-- Who holds each case, and when: the full history, newest last.
CREATE TABLE allocations (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    allocated_on TEXT NOT NULL,
    ended_on TEXT,
    reason TEXT,
    allocated_by TEXT NOT NULL
) STRICT;
CREATE INDEX allocations_case ON allocations (case_id, id);
CREATE INDEX allocations_staff ON allocations (staff_id);

-- A team's safe caseload, in weighted points per full-time equivalent.
CREATE TABLE team_caseload_limits (
    team_id INTEGER PRIMARY KEY REFERENCES teams (id),
    points_per_fte REAL NOT NULL CHECK (points_per_fte > 0 AND points_per_fte <= 100)
) STRICT;
