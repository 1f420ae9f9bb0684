-- The date a change to a case took effect (a closure backdated to the day
-- of the final order), where it differs from when it was recorded.
ALTER TABLE case_events ADD COLUMN on_date TEXT CHECK (on_date IS NULL OR date(on_date) IS on_date);

-- The sum of every case's contribution to the measures, kept in step with
-- the cases in the same transaction as each change (see tandem_domain::rollups).
CREATE TABLE measure_rollups (
    component TEXT NOT NULL,
    scope TEXT NOT NULL,
    month TEXT NOT NULL,
    law_type TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (component, scope, month, law_type, bucket)
) STRICT, WITHOUT ROWID;
