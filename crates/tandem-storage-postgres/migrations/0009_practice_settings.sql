-- The organisation's practice settings: one row, absent until first saved
-- (the defaults apply until then).
CREATE TABLE practice_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    safeguarding_letter_days BIGINT NOT NULL CHECK (safeguarding_letter_days BETWEEN 1 AND 100),
    private_law_allocation_days BIGINT NOT NULL CHECK (private_law_allocation_days BETWEEN 1 AND 100),
    public_law_allocation_days BIGINT NOT NULL CHECK (public_law_allocation_days BETWEEN 1 AND 100),
    first_contact_with_child_days BIGINT NOT NULL CHECK (first_contact_with_child_days BETWEEN 1 AND 100),
    private_law_weeks BIGINT NOT NULL CHECK (private_law_weeks BETWEEN 4 AND 156),
    public_law_weeks BIGINT NOT NULL CHECK (public_law_weeks BETWEEN 4 AND 156),
    weight_private_law DOUBLE PRECISION NOT NULL CHECK (weight_private_law > 0),
    weight_section_7_report DOUBLE PRECISION NOT NULL CHECK (weight_section_7_report > 0),
    weight_public_law DOUBLE PRECISION NOT NULL CHECK (weight_public_law > 0),
    weight_adoption DOUBLE PRECISION NOT NULL CHECK (weight_adoption > 0),
    oversight_at_allocation BOOLEAN NOT NULL,
    oversight_before_filing BOOLEAN NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1)
);
