-- Merging duplicate leads (kept, never deleted: the duplicate is marked merged into the
-- survivor), what each merge changed so it can be undone, and the 疑似重复 queue.
CREATE TABLE lead_merges (
    id INTEGER PRIMARY KEY,
    survivor_id      BIGINT NOT NULL REFERENCES leads(id),
    duplicate_id     BIGINT NOT NULL REFERENCES leads(id),
    -- both leads as they were, and the references moved, as JSON
    survivor_before  TEXT NOT NULL,
    duplicate_before TEXT NOT NULL,
    repointed        TEXT NOT NULL,
    merged_by        BIGINT NOT NULL REFERENCES users(id),
    merged_at        TEXT NOT NULL,
    undone_by        BIGINT REFERENCES users(id),
    undone_at        TEXT
);
CREATE INDEX lead_merges_survivor ON lead_merges(survivor_id, id);
CREATE INDEX lead_merges_duplicate ON lead_merges(duplicate_id, id);

CREATE TABLE duplicate_pairs (
    id INTEGER PRIMARY KEY,
    lead_id     BIGINT NOT NULL REFERENCES leads(id),
    other_id    BIGINT NOT NULL REFERENCES leads(id),
    reasons     TEXT NOT NULL,
    -- open, merged, dismissed
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    resolved_by BIGINT REFERENCES users(id),
    resolved_at TEXT,
    UNIQUE (lead_id, other_id)
);
CREATE INDEX duplicate_pairs_status ON duplicate_pairs(status, id);
CREATE INDEX duplicate_pairs_other ON duplicate_pairs(other_id);

CREATE INDEX leads_name_norm ON leads(name_norm);
CREATE INDEX leads_merged_into ON leads(merged_into);
