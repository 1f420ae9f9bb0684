-- Delay rows keep their cases in a shorter line (day numbers, one word for
-- the law type and pathway, a letter a stage): the next start rewrites them.
INSERT INTO rollups_stale (id, reason) VALUES (1, 'delay rows written shorter')
    ON CONFLICT (id) DO UPDATE SET reason = rollups_stale.reason || '; ' || excluded.reason;
