-- Extensions the court grants to the 26-week limit in care and supervision proceedings.
CREATE TABLE extensions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    weeks BIGINT NOT NULL CHECK (weeks BETWEEN 1 AND 8),
    granted_on DATE NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX extensions_case ON extensions (case_id, granted_on);
