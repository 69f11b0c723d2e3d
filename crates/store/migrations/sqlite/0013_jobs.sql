-- Background jobs, the in-app inbox and the group-robot webhooks of each unit.
--
-- A job is claimed by setting locked_by/locked_until (a lease: a worker that dies leaves
-- the job to be claimed again once the lease has run out), done when done_at is set,
-- given up when failed_at is set. Timestamps are RFC 3339 UTC text of fixed width, so
-- they compare as text. dedupe_key makes enqueueing idempotent.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    dedupe_key   TEXT NOT NULL UNIQUE,
    -- JSON
    payload      TEXT NOT NULL,
    run_at       TEXT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    locked_by    TEXT,
    locked_until TEXT,
    done_at      TEXT,
    failed_at    TEXT,
    last_error   TEXT,
    created_at   TEXT NOT NULL
);
-- claiming: the due jobs that are neither done nor given up
CREATE INDEX jobs_due ON jobs(run_at, id) WHERE done_at IS NULL AND failed_at IS NULL;

-- One notice in one user's inbox. The key is unique per user: the same event may
-- reach several people, each once.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    link       TEXT,
    dedupe_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_unread ON notifications(user_id, read_at);

-- Group robots (企业微信 'wecom', 钉钉 'dingtalk') that receive a unit's notices.
-- Never deleted: a removed robot is made inactive, so its id (part of the delivery
-- jobs' keys) is never reused.
CREATE TABLE unit_webhooks (
    id INTEGER PRIMARY KEY,
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    kind       TEXT NOT NULL,
    url        TEXT NOT NULL,
    active     BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX unit_webhooks_unit ON unit_webhooks(unit_id);

-- Where a user's notices are also sent by email (none: inbox and robots only).
ALTER TABLE users ADD COLUMN email TEXT;
