-- Ledger imports (台账导入): the uploaded file kept until and after it is imported, so
-- a preview can be reopened on any server and the error report rebuilt; the mapping the
-- user chose; the outcome. Leads and projects remember the import that created them,
-- and ledger columns Fenglai has no field for (到资, 备注, 责任人 as written, a park or
-- region name it could not match …) are kept on the lead as JSON, so nothing is lost
-- and an export writes them back.
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    content       BLOB NOT NULL,
    mapping_json  TEXT,
    actor_id      BIGINT NOT NULL REFERENCES users(id),
    status        TEXT NOT NULL,
    skip_bad_rows BIGINT,
    unit_id       BIGINT,
    inserted      BIGINT,
    invalid       BIGINT,
    skipped       BIGINT,
    created_at    TEXT NOT NULL,
    imported_at   TEXT
);
CREATE INDEX imports_actor ON imports(actor_id, id);
ALTER TABLE leads ADD COLUMN import_id BIGINT;
ALTER TABLE leads ADD COLUMN ledger_extra TEXT;
