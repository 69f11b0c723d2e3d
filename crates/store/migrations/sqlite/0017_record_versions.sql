-- Optimistic concurrency: a version on the records people edit (projects, leads, plots).
-- An edit names the version it saw and is refused (409) when the row has moved on. Every
-- write bumps it: edits set version = version + 1 themselves; any other UPDATE that leaves
-- the version alone (stage changes, merges, imports, status changes) is bumped by the
-- trigger, so no write can slip past an editor unseen. SQLite's triggers are not
-- recursive by default, and the WHEN clause stops the trigger's own update in any case.
ALTER TABLE projects ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE leads ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE park_plots ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE TRIGGER projects_version_au AFTER UPDATE ON projects WHEN new.version = old.version BEGIN
    UPDATE projects SET version = old.version + 1 WHERE id = new.id;
END;
CREATE TRIGGER leads_version_au AFTER UPDATE ON leads WHEN new.version = old.version BEGIN
    UPDATE leads SET version = old.version + 1 WHERE id = new.id;
END;
CREATE TRIGGER park_plots_version_au AFTER UPDATE ON park_plots WHEN new.version = old.version BEGIN
    UPDATE park_plots SET version = old.version + 1 WHERE id = new.id;
END;
