-- The organisation's practice settings: one row, absent until first saved
-- (the defaults apply until then).
CREATE TABLE practice_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    safeguarding_letter_days INTEGER NOT NULL CHECK (safeguarding_letter_days BETWEEN 1 AND 100),
    private_law_allocation_days INTEGER NOT NULL CHECK (private_law_allocation_days BETWEEN 1 AND 100),
    public_law_allocation_days INTEGER NOT NULL CHECK (public_law_allocation_days BETWEEN 1 AND 100),
    first_contact_with_child_days INTEGER NOT NULL CHECK (first_contact_with_child_days BETWEEN 1 AND 100),
    private_law_weeks INTEGER NOT NULL CHECK (private_law_weeks BETWEEN 4 AND 156),
    public_law_weeks INTEGER NOT NULL CHECK (public_law_weeks BETWEEN 4 AND 156),
    weight_private_law REAL NOT NULL CHECK (weight_private_law > 0),
    weight_section_7_report REAL NOT NULL CHECK (weight_section_7_report > 0),
    weight_public_law REAL NOT NULL CHECK (weight_public_law > 0),
    weight_adoption REAL NOT NULL CHECK (weight_adoption > 0),
    oversight_at_allocation INTEGER NOT NULL CHECK (oversight_at_allocation IN (0, 1)),
    oversight_before_filing INTEGER NOT NULL CHECK (oversight_before_filing IN (0, 1)),
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
