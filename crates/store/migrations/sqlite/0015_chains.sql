-- Industry chains (产业链招商): chains and their links, the enterprise registry, target
-- lists and targets; a lead remembers the link it serves.

-- A chain, its chief (链长, a leader) and its office (链办, a unit). Its readers are the
-- people whose jurisdiction holds the office, and the chief.
CREATE TABLE chains (
    id INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    description    TEXT NOT NULL DEFAULT '',
    chief_user_id  BIGINT REFERENCES users(id),
    office_unit_id BIGINT NOT NULL REFERENCES units(id),
    template       TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

-- A link (环节): GB/T 4754 codes and keywords, comma-separated.
CREATE TABLE chain_links (
    id INTEGER PRIMARY KEY,
    chain_id   BIGINT NOT NULL REFERENCES chains(id),
    name       TEXT NOT NULL,
    tier       TEXT NOT NULL,
    codes      TEXT NOT NULL,
    keywords   TEXT NOT NULL DEFAULT '',
    position   BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (chain_id, name)
);
CREATE INDEX chain_links_chain ON chain_links(chain_id, position);

-- from supplies to
CREATE TABLE chain_link_edges (
    id INTEGER PRIMARY KEY,
    chain_id     BIGINT NOT NULL REFERENCES chains(id),
    from_link_id BIGINT NOT NULL REFERENCES chain_links(id),
    to_link_id   BIGINT NOT NULL REFERENCES chain_links(id),
    -- 0 once removed (kept, never deleted)
    active       BIGINT NOT NULL DEFAULT 1,
    UNIQUE (from_link_id, to_link_id)
);
CREATE INDEX chain_link_edges_chain ON chain_link_edges(chain_id);

-- The enterprise registry (external data, re-imported to update: the credit code is the
-- key). province = first two characters of region_code (GB/T 2260 province, or an ISO
-- country code for companies registered abroad); flags: 1 上市, 2 世界500强, 4 中国500强,
-- 8 央企. Output and tax are yearly figures where the source gives them (local
-- enterprises, from the statistics bureau).
CREATE TABLE enterprises (
    id INTEGER PRIMARY KEY,
    uscc             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    region_code      TEXT NOT NULL,
    province         TEXT NOT NULL,
    industry_code    TEXT NOT NULL,
    capital_yuan     BIGINT NOT NULL DEFAULT 0,
    founded          TEXT,
    scope            TEXT NOT NULL DEFAULT '',
    flags            BIGINT NOT NULL DEFAULT 0,
    new_branches     BIGINT NOT NULL DEFAULT 0,
    financing_rounds BIGINT NOT NULL DEFAULT 0,
    output_yuan      BIGINT,
    tax_yuan         BIGINT,
    updated_at       TEXT NOT NULL
);
-- ranking a link's candidates: by code, then province and flags inside the index
CREATE INDEX enterprises_rank ON enterprises(industry_code, province, flags);
-- the city's own enterprises
CREATE INDEX enterprises_region ON enterprises(region_code);

-- A saved target list for one link, with the filters it was made with (JSON).
CREATE TABLE target_lists (
    id INTEGER PRIMARY KEY,
    chain_id   BIGINT NOT NULL REFERENCES chains(id),
    link_id    BIGINT NOT NULL REFERENCES chain_links(id),
    name       TEXT NOT NULL,
    filters    TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX target_lists_link ON target_lists(link_id, id);

-- A company on a list: a copy of what it was scored on, the score and its explanation
-- (JSON), who it is assigned to (a promoter or a unit, e.g. a stationed office) and the
-- lead it became.
CREATE TABLE targets (
    id INTEGER PRIMARY KEY,
    list_id          BIGINT NOT NULL REFERENCES target_lists(id),
    chain_id         BIGINT NOT NULL REFERENCES chains(id),
    link_id          BIGINT NOT NULL REFERENCES chain_links(id),
    enterprise_id    BIGINT NOT NULL REFERENCES enterprises(id),
    rank             BIGINT NOT NULL,
    uscc             TEXT NOT NULL,
    name             TEXT NOT NULL,
    region_code      TEXT NOT NULL,
    industry_code    TEXT NOT NULL,
    flags            BIGINT NOT NULL,
    capital_yuan     BIGINT NOT NULL,
    score            BIGINT NOT NULL,
    explanation      TEXT NOT NULL,
    assignee_user_id BIGINT REFERENCES users(id),
    assignee_unit_id BIGINT REFERENCES units(id),
    lead_id          BIGINT REFERENCES leads(id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (list_id, enterprise_id)
);
CREATE INDEX targets_list ON targets(list_id, rank);
CREATE INDEX targets_link ON targets(link_id);

ALTER TABLE leads ADD COLUMN chain_link_id BIGINT REFERENCES chain_links(id);
CREATE INDEX leads_chain_link ON leads(chain_link_id) WHERE chain_link_id IS NOT NULL;
