-- 考核与通报: activities (visits, events, meetings), versioned targets and yearly schemes,
-- competitions (百日赛), and published bulletins with their frozen figures.

-- 世界500强 / 中国500强 / 央企 / 上市公司, comma-separated codes
ALTER TABLE leads ADD COLUMN investor_tags TEXT NOT NULL DEFAULT '';
-- 实际使用外资 in the month, US dollars
ALTER TABLE project_monthly ADD COLUMN foreign_capital_usd BIGINT;

CREATE INDEX projects_lead ON projects(lead_id, created_at);
CREATE INDEX request_tasks_answered ON request_tasks(first_answered_on, department_id);
CREATE INDEX project_monthly_month ON project_monthly(month, project_id);
-- stage-history rows voided after a moment (figures as of a moment before the voiding)
CREATE INDEX stage_history_voided ON stage_history(voided_at) WHERE voided = 1;

-- kind: visit (走访/拜访), event (推介会, 座谈会, 洽谈会, 路演), meeting (会商, 过堂)
CREATE TABLE activities (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    subkind       TEXT,
    title         TEXT NOT NULL,
    activity_date TEXT NOT NULL,
    place         TEXT,
    region_code   TEXT,
    counterpart   TEXT,
    outcome       TEXT,
    attendees     BIGINT,
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    created_by    BIGINT NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    voided_at     TEXT,
    voided_reason TEXT
);
CREATE INDEX activities_date ON activities(activity_date, kind, unit_id);
CREATE INDEX activities_unit ON activities(unit_id, activity_date);

-- who went
CREATE TABLE activity_people (
    activity_id BIGINT NOT NULL REFERENCES activities(id),
    user_id     BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (activity_id, user_id)
);
CREATE INDEX activity_people_user ON activity_people(user_id, activity_id);

-- leads the activity followed up (produced = 0) or produced (produced = 1)
CREATE TABLE activity_leads (
    activity_id BIGINT NOT NULL REFERENCES activities(id),
    lead_id     BIGINT NOT NULL REFERENCES leads(id),
    produced    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (activity_id, lead_id)
);
CREATE INDEX activity_leads_lead ON activity_leads(lead_id, activity_id);

-- An annual target of one metric for a unit or a person. A change supersedes the row (kept,
-- with the reason), so the targets as of any moment can be read back.
CREATE TABLE assessment_targets (
    id            INTEGER PRIMARY KEY,
    year          BIGINT NOT NULL,
    metric        TEXT NOT NULL,
    unit_id       BIGINT REFERENCES units(id),
    user_id       BIGINT REFERENCES users(id),
    value         BIGINT NOT NULL,
    reason        TEXT,
    set_by        BIGINT NOT NULL REFERENCES users(id),
    set_at        TEXT NOT NULL,
    superseded_at TEXT
);
CREATE INDEX assessment_targets_year ON assessment_targets(year, metric, superseded_at);

-- The year's quality weights and points (JSON of the domain's Scheme), versioned the same way.
CREATE TABLE assessment_schemes (
    id            INTEGER PRIMARY KEY,
    year          BIGINT NOT NULL,
    body          TEXT NOT NULL,
    set_by        BIGINT NOT NULL REFERENCES users(id),
    set_at        TEXT NOT NULL,
    superseded_at TEXT
);
CREATE INDEX assessment_schemes_year ON assessment_schemes(year, set_at);

-- 百日赛 and other named competitions: own dates, own points (JSON of metric → points)
CREATE TABLE competitions (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date   TEXT NOT NULL,
    points     TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);

-- A published bulletin: its figures as computed as of `as_of` (JSON), their SHA-256, and the
-- named lists (stalled projects, overdue requests) captured when it was published.
CREATE TABLE bulletins (
    id           INTEGER PRIMARY KEY,
    period       TEXT NOT NULL,
    title        TEXT NOT NULL,
    as_of        TEXT NOT NULL,
    figures      TEXT NOT NULL,
    named        TEXT NOT NULL,
    hash         TEXT NOT NULL,
    published_by BIGINT NOT NULL REFERENCES users(id),
    published_at TEXT NOT NULL
);
CREATE INDEX bulletins_period ON bulletins(period, id);
