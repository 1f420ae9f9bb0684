-- An adult party's relationship to one child, where it is not their
-- relationship to the children as a whole.
CREATE TABLE party_relationships (
    party_id BIGINT NOT NULL REFERENCES parties (id),
    child_id BIGINT NOT NULL REFERENCES children (id),
    relationship TEXT NOT NULL,
    PRIMARY KEY (party_id, child_id)
);
