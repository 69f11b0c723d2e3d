-- Pre-review panels, red lines, park profiles and routing (issue: pre-review and routing).

-- What a lead says about its footprint, for red lines and routing.
ALTER TABLE leads ADD COLUMN env_category TEXT;
ALTER TABLE leads ADD COLUMN expected_tax_yuan BIGINT;
ALTER TABLE leads ADD COLUMN expected_output_yuan BIGINT;
ALTER TABLE leads ADD COLUMN energy_tce REAL;
ALTER TABLE leads ADD COLUMN power_kva BIGINT;

-- "我有什么、我要什么": one profile a park.
CREATE TABLE park_profiles (
    park_id                   BIGINT PRIMARY KEY REFERENCES units(id),
    summary                   TEXT,
    chains                    TEXT NOT NULL DEFAULT '',
    factory_m2                BIGINT,
    factory_floors            BIGINT,
    factory_load_kg_m2        BIGINT,
    power_kva                 BIGINT,
    water_t_per_day           BIGINT,
    gas                       TEXT,
    steam                     TEXT,
    min_intensity_yuan_per_mu BIGINT,
    min_tax_yuan_per_mu       BIGINT,
    max_energy_tce_per_10k    REAL,
    env_categories            TEXT NOT NULL DEFAULT '',
    policies                  TEXT,
    contacts                  TEXT,
    address                   TEXT,
    lng                       REAL,
    lat                       REAL,
    updated_at                TEXT NOT NULL,
    updated_by                BIGINT
);

CREATE TABLE park_industries (
    park_id       BIGINT NOT NULL REFERENCES units(id),
    industry_code TEXT NOT NULL,
    PRIMARY KEY (park_id, industry_code)
);

CREATE TABLE park_plots (
    id                INTEGER PRIMARY KEY,
    park_id           BIGINT NOT NULL REFERENCES units(id),
    name              TEXT NOT NULL,
    area_mu           REAL NOT NULL,
    land_use          TEXT NOT NULL,
    status            TEXT NOT NULL,
    price_yuan_per_mu BIGINT,
    active            BIGINT NOT NULL DEFAULT 1,
    updated_at        TEXT NOT NULL
);
CREATE INDEX park_plots_park ON park_plots(park_id, active);

-- Pre-review panels: one or more a unit, members, weighted criteria and decision rules.
CREATE TABLE review_panels (
    id            INTEGER PRIMARY KEY,
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    name          TEXT NOT NULL,
    pass_score    BIGINT NOT NULL,
    quorum        BIGINT NOT NULL,
    deadline_days BIGINT NOT NULL,
    active        BIGINT NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

CREATE TABLE panel_members (
    panel_id    BIGINT NOT NULL REFERENCES review_panels(id),
    user_id     BIGINT NOT NULL REFERENCES users(id),
    affiliation TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (panel_id, user_id)
);
CREATE INDEX panel_members_user ON panel_members(user_id);

CREATE TABLE review_criteria (
    id         INTEGER PRIMARY KEY,
    panel_id   BIGINT NOT NULL REFERENCES review_panels(id),
    key        TEXT NOT NULL,
    name       TEXT NOT NULL,
    weight     BIGINT NOT NULL,
    max_score  BIGINT NOT NULL,
    veto_below BIGINT,
    position   BIGINT NOT NULL,
    active     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX review_criteria_panel ON review_criteria(panel_id, position);

-- One review a time a lead goes before a panel. status: open, more_info, decided.
CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY,
    lead_id         BIGINT NOT NULL REFERENCES leads(id),
    panel_id        BIGINT NOT NULL REFERENCES review_panels(id),
    status          TEXT NOT NULL,
    opened_by       BIGINT NOT NULL REFERENCES users(id),
    opened_at       TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    decision        TEXT,
    decision_reason TEXT,
    outcome         TEXT,
    score           REAL,
    decided_by      BIGINT,
    decided_at      TEXT,
    reminded_at     TEXT
);
CREATE INDEX reviews_lead ON reviews(lead_id, id);
CREATE INDEX reviews_open ON reviews(status, due_date);

-- A member's scorecard; the criteria scores are copied in (criterion key, name, weight) so a
-- later edit of the panel's criteria does not change a decided review.
CREATE TABLE review_cards (
    id           INTEGER PRIMARY KEY,
    review_id    BIGINT NOT NULL REFERENCES reviews(id),
    user_id      BIGINT NOT NULL REFERENCES users(id),
    scores_json  TEXT NOT NULL,
    comment      TEXT,
    submitted_at TEXT NOT NULL
);
CREATE UNIQUE INDEX review_cards_member ON review_cards(review_id, user_id);

-- The negative list, editable; seeded from the domain's default list.
CREATE TABLE redline_rules (
    id          INTEGER PRIMARY KEY,
    code_prefix TEXT NOT NULL DEFAULT '',
    keywords    TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL,
    name        TEXT NOT NULL,
    active      BIGINT NOT NULL DEFAULT 1
);

-- A leader's recorded override of a lead's red lines.
CREATE TABLE redline_overrides (
    id         INTEGER PRIMARY KEY,
    lead_id    BIGINT NOT NULL REFERENCES leads(id),
    user_id    BIGINT NOT NULL REFERENCES users(id),
    reason     TEXT NOT NULL,
    flags_json TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX redline_overrides_lead ON redline_overrides(lead_id, id);

-- A lead sent to a park. status: pending, accepted, declined.
CREATE TABLE routings (
    id           INTEGER PRIMARY KEY,
    lead_id      BIGINT NOT NULL REFERENCES leads(id),
    park_id      BIGINT NOT NULL REFERENCES units(id),
    sent_by      BIGINT NOT NULL REFERENCES users(id),
    sent_unit_id BIGINT NOT NULL REFERENCES units(id),
    sent_at      TEXT NOT NULL,
    due_date     TEXT NOT NULL,
    fit_score    BIGINT,
    status       TEXT NOT NULL,
    responded_by BIGINT,
    responded_at TEXT,
    reason       TEXT
);
CREATE INDEX routings_lead ON routings(lead_id, id);
CREATE INDEX routings_park ON routings(park_id, status);
