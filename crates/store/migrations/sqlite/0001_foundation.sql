-- Fenglai foundation schema (SQLite). Dates are ISO-8601 TEXT ('YYYY-MM-DD'),
-- timestamps RFC 3339 TEXT in UTC, money BIGINT yuan. Nothing is hard-deleted.

CREATE TABLE industries (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       BIGINT NOT NULL,
    parent_code TEXT,
    section     TEXT NOT NULL
);

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       BIGINT NOT NULL,
    parent_code TEXT,
    full_name   TEXT NOT NULL
);

CREATE TABLE units (
    id              INTEGER PRIMARY KEY,
    parent_id       BIGINT REFERENCES units(id),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    region_code     TEXT,
    path            TEXT NOT NULL DEFAULT '',
    jurisdiction_id BIGINT,
    active          BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL
);
CREATE INDEX units_path ON units(path);
CREATE UNIQUE INDEX units_parent_name ON units(COALESCE(parent_id, 0), name);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    phone         TEXT,
    password_hash TEXT NOT NULL,
    active        BIGINT NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL,
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id        INTEGER PRIMARY KEY,
    username  TEXT NOT NULL,
    ip        TEXT NOT NULL,
    at        TEXT NOT NULL,
    ok        BIGINT NOT NULL
);
CREATE INDEX login_attempts_user_at ON login_attempts(username, at);
CREATE INDEX login_attempts_ip_at ON login_attempts(ip, at);

CREATE TABLE leads (
    id                      INTEGER PRIMARY KEY,
    company_name            TEXT NOT NULL,
    uscc                    TEXT,
    industry_code           TEXT,
    industry_section        TEXT,
    region_code             TEXT,
    contact_name            TEXT,
    contact_phone           TEXT,
    description             TEXT,
    planned_investment_yuan BIGINT,
    land_mu                 REAL,
    expected_jobs           BIGINT,
    channel                 TEXT,
    reported_by             BIGINT NOT NULL REFERENCES users(id),
    reporting_unit_id       BIGINT NOT NULL REFERENCES units(id),
    reported_date           TEXT NOT NULL,
    status                  TEXT NOT NULL,
    project_id              BIGINT,
    merged_into             BIGINT,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX leads_reported ON leads(reported_date, id);
CREATE INDEX leads_status_reported ON leads(status, reported_date, id);
CREATE INDEX leads_unit_reported ON leads(reporting_unit_id, reported_date, id);
CREATE INDEX leads_reporter_reported ON leads(reported_by, reported_date, id);
CREATE INDEX leads_industry_reported ON leads(industry_code, reported_date, id);
CREATE INDEX leads_section_reported ON leads(industry_section, reported_date, id);
CREATE INDEX leads_uscc ON leads(uscc);

-- Fragment search on company names: trigram FTS over the leads table.
CREATE VIRTUAL TABLE leads_fts USING fts5(company_name, content='leads', content_rowid='id', tokenize='trigram');
CREATE TRIGGER leads_fts_ai AFTER INSERT ON leads BEGIN
    INSERT INTO leads_fts(rowid, company_name) VALUES (new.id, new.company_name);
END;
CREATE TRIGGER leads_fts_ad AFTER DELETE ON leads BEGIN
    INSERT INTO leads_fts(leads_fts, rowid, company_name) VALUES ('delete', old.id, old.company_name);
END;
CREATE TRIGGER leads_fts_au AFTER UPDATE OF company_name ON leads BEGIN
    INSERT INTO leads_fts(leads_fts, rowid, company_name) VALUES ('delete', old.id, old.company_name);
    INSERT INTO leads_fts(rowid, company_name) VALUES (new.id, new.company_name);
END;

CREATE TABLE projects (
    id                         INTEGER PRIMARY KEY,
    name                       TEXT NOT NULL,
    lead_id                    BIGINT REFERENCES leads(id),
    company_name               TEXT NOT NULL,
    uscc                       TEXT,
    industry_code              TEXT,
    industry_section           TEXT,
    park_id                    BIGINT REFERENCES units(id),
    reporting_unit_id          BIGINT NOT NULL REFERENCES units(id),
    reported_by                BIGINT NOT NULL REFERENCES users(id),
    responsible_user_id        BIGINT REFERENCES users(id),
    responsible_leader_id      BIGINT REFERENCES users(id),
    planned_investment_yuan    BIGINT NOT NULL DEFAULT 0,
    contracted_investment_yuan BIGINT,
    foreign_capital_usd        BIGINT,
    land_mu                    REAL,
    stage                      TEXT NOT NULL,
    stage_date                 TEXT NOT NULL,
    before_drop_stage          TEXT,
    drop_reason                TEXT,
    created_at                 TEXT NOT NULL,
    updated_at                 TEXT NOT NULL
);
CREATE INDEX projects_stage ON projects(stage, stage_date, id);
CREATE INDEX projects_park ON projects(park_id, stage);
CREATE INDEX projects_unit ON projects(reporting_unit_id, stage);
CREATE INDEX projects_reporter ON projects(reported_by);

-- One row a stage a project was in, with the interval it held: [effective_date, end_date).
-- Scope columns and the investment figure are copied in so that figures as of any date
-- are one scan of this table. Corrections void rows; nothing is deleted.
CREATE TABLE stage_history (
    id                INTEGER PRIMARY KEY,
    project_id        BIGINT NOT NULL REFERENCES projects(id),
    stage             TEXT NOT NULL,
    kind              TEXT NOT NULL,
    effective_date    TEXT NOT NULL,
    end_date          TEXT,
    amount_yuan       BIGINT,
    investment_yuan   BIGINT NOT NULL,
    reason            TEXT,
    park_id           BIGINT,
    reporting_unit_id BIGINT NOT NULL,
    reported_by       BIGINT NOT NULL,
    recorded_by       BIGINT NOT NULL,
    recorded_at       TEXT NOT NULL,
    voided            BIGINT NOT NULL DEFAULT 0,
    voided_reason     TEXT,
    voided_at         TEXT
);
CREATE INDEX stage_history_project ON stage_history(project_id, id);
CREATE INDEX stage_history_asof ON stage_history(effective_date, end_date, stage, investment_yuan, park_id, reporting_unit_id) WHERE voided = 0;

-- The tamper-evident event chain.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    seq         BIGINT NOT NULL UNIQUE,
    at          TEXT NOT NULL,
    actor_id    BIGINT,
    actor       TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   BIGINT NOT NULL,
    action      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX events_entity ON events(entity, entity_id, seq);
CREATE INDEX events_at ON events(at);

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
