-- Who holds each case, and when: the full history, newest last.
CREATE TABLE allocations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    allocated_on DATE NOT NULL,
    ended_on DATE,
    reason TEXT,
    allocated_by TEXT NOT NULL
);
CREATE INDEX allocations_case ON allocations (case_id, id);
CREATE INDEX allocations_staff ON allocations (staff_id);

-- A team's safe caseload, in weighted points per full-time equivalent.
CREATE TABLE team_caseload_limits (
    team_id BIGINT PRIMARY KEY REFERENCES teams (id),
    points_per_fte DOUBLE PRECISION NOT NULL CHECK (points_per_fte > 0 AND points_per_fte <= 100)
);
