-- From signing to production: milestones scheduled backwards, stall rules, requests to
-- departments (诉求) with their answers and ratings, 一事一议 meetings, evidence files,
-- monthly realised figures, and the daily alert snapshot.

ALTER TABLE projects ADD COLUMN project_type TEXT;
ALTER TABLE projects ADD COLUMN target_production_date TEXT;
ALTER TABLE projects ADD COLUMN above_scale_date TEXT;

-- One row a node of a project's plan. Entry nodes of a stage (签约, 开工, 竣工验收, 投产,
-- 达产) get their actual date from the stage transition; the others from an entry.
CREATE TABLE milestones (
    id                  INTEGER PRIMARY KEY,
    project_id          BIGINT NOT NULL REFERENCES projects(id),
    node                TEXT NOT NULL,
    position            BIGINT NOT NULL,
    planned_date        TEXT,
    actual_date         TEXT,
    responsible_user_id BIGINT REFERENCES users(id),
    note                TEXT,
    updated_by          BIGINT REFERENCES users(id),
    updated_at          TEXT NOT NULL,
    UNIQUE (project_id, node)
);
-- open nodes by project (overdue in a project, the week's calendar by date below), and done
-- nodes by project in plan order (the last done node decides the slip so far)
CREATE INDEX milestones_open ON milestones(project_id, planned_date) WHERE actual_date IS NULL;
CREATE INDEX milestones_open_due ON milestones(planned_date) WHERE actual_date IS NULL;
CREATE INDEX milestones_done ON milestones(project_id, position) WHERE actual_date IS NOT NULL;
CREATE INDEX milestones_person ON milestones(responsible_user_id, planned_date);

-- 三未/六未: a project whose `after` node is done and whose `missing` node is not, for more
-- than `days` days.
CREATE TABLE stall_rules (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    after_node   TEXT NOT NULL,
    missing_node TEXT NOT NULL,
    days         BIGINT NOT NULL,
    active       BIGINT NOT NULL DEFAULT 1,
    position     BIGINT NOT NULL
);
INSERT INTO stall_rules (code, label, after_node, missing_node, days, position) VALUES
    ('signed_unregistered', '签约未注册', 'sign', 'register', 30, 1),
    ('registered_no_land', '注册未供地', 'register', 'land', 90, 2),
    ('land_not_started', '供地未开工', 'land', 'start', 90, 3),
    ('started_not_completed', '开工未竣工', 'start', 'acceptance', 540, 4),
    ('completed_not_producing', '竣工未投产', 'acceptance', 'production', 90, 5),
    ('producing_not_capacity', '投产未达产', 'production', 'capacity', 365, 6);

-- 诉求 / 要素保障事项 raised for a project.
CREATE TABLE requests (
    id             INTEGER PRIMARY KEY,
    project_id     BIGINT NOT NULL REFERENCES projects(id),
    category       TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    urgency        TEXT NOT NULL,
    -- open (some department still owes an answer), answered, closed (every answer rated satisfied)
    status         TEXT NOT NULL,
    raised_by      BIGINT NOT NULL REFERENCES users(id),
    raised_unit_id BIGINT NOT NULL REFERENCES units(id),
    raised_at      TEXT NOT NULL,
    closed_at      TEXT
);
CREATE INDEX requests_project ON requests(project_id, id);
CREATE INDEX requests_status ON requests(status, id);

-- One department's part of a request: 受理 → 办理 → 答复 → 评价 (unsatisfied reopens it).
CREATE TABLE request_tasks (
    id                INTEGER PRIMARY KEY,
    request_id        BIGINT NOT NULL REFERENCES requests(id),
    department_id     BIGINT NOT NULL REFERENCES units(id),
    -- routed, accepted, answered, closed
    status            TEXT NOT NULL,
    routed_at         TEXT NOT NULL,
    -- the answer is due by the end of this day (China time); first_due_date is the original
    due_date          TEXT NOT NULL,
    first_due_date    TEXT NOT NULL,
    accepted_at       TEXT,
    accepted_by       BIGINT REFERENCES users(id),
    answered_at       TEXT,
    answered_by       BIGINT REFERENCES users(id),
    answer            TEXT,
    first_answered_at TEXT,
    first_answered_on TEXT,
    rating            TEXT,
    rating_comment    TEXT,
    rated_at          TEXT,
    reopen_count      BIGINT NOT NULL DEFAULT 0,
    escalated_at      TEXT,
    meeting_id        BIGINT,
    UNIQUE (request_id, department_id)
);
CREATE INDEX request_tasks_open ON request_tasks(due_date, request_id) WHERE status IN ('routed', 'accepted');
CREATE INDEX request_tasks_department ON request_tasks(department_id, status);

-- 一事一议: a meeting that settles several requests at once.
CREATE TABLE request_meetings (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    chaired_by  TEXT NOT NULL,
    attendees   TEXT NOT NULL,
    minutes     TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);

-- Evidence: file contents stored once by SHA-256, attachments pointing at them.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    content    BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    project_id   BIGINT NOT NULL REFERENCES projects(id),
    request_id   BIGINT REFERENCES requests(id),
    kind         TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL REFERENCES blobs(sha256),
    uploaded_by  BIGINT NOT NULL REFERENCES users(id),
    uploaded_at  TEXT NOT NULL,
    voided_at    TEXT,
    voided_by    BIGINT REFERENCES users(id)
);
CREATE INDEX attachments_project ON attachments(project_id, kind);

-- 到资, 固定资产投资, and after production 产值, 税收, 用工: one row a project and month.
CREATE TABLE project_monthly (
    project_id           BIGINT NOT NULL REFERENCES projects(id),
    month                TEXT NOT NULL,
    capital_arrived_yuan BIGINT,
    fixed_asset_yuan     BIGINT,
    output_yuan          BIGINT,
    tax_yuan             BIGINT,
    employment           BIGINT,
    recorded_by          BIGINT NOT NULL REFERENCES users(id),
    recorded_at          TEXT NOT NULL,
    PRIMARY KEY (project_id, month)
);

-- The last daily computation: what was overdue, at risk, stalled or escalated as of that day.
-- Rebuilt whole each day (no key: appended in one pass, emptied in one statement).
CREATE TABLE alerts (
    kind       TEXT NOT NULL,
    ref_id     BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    since      TEXT,
    as_of      TEXT NOT NULL
);
CREATE TABLE alert_runs (
    as_of       TEXT PRIMARY KEY,
    overdue     BIGINT NOT NULL,
    at_risk     BIGINT NOT NULL,
    stalled     BIGINT NOT NULL,
    requests    BIGINT NOT NULL,
    escalated   BIGINT NOT NULL,
    millis      BIGINT NOT NULL,
    computed_at TEXT NOT NULL
);
