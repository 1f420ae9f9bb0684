-- England and Wales bank holidays, for working-day clocks. Seeded from the
-- file Tandem ships; an administrator imports updates.
CREATE TABLE bank_holidays (
    day DATE PRIMARY KEY,
    title TEXT NOT NULL
);
