-- PostgreSQL's 0019 stops its DFJ area numbers skipping; SQLite's INSERT OR
-- IGNORE never took a number for an area it knew, so nothing changes here.
SELECT 1;
