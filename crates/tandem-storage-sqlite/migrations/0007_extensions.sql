-- Extensions the court grants to the 26-week limit in care and supervision proceedings.
CREATE TABLE extensions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    weeks INTEGER NOT NULL CHECK (weeks BETWEEN 1 AND 8),
    granted_on TEXT NOT NULL CHECK (date(granted_on) IS granted_on),
    reason TEXT NOT NULL
) STRICT;
CREATE INDEX extensions_case ON extensions (case_id, granted_on);
