-- Optimistic concurrency: a version on the records people edit (projects, leads, plots).
-- An edit names the version it saw and is refused (409) when the row has moved on. Every
-- write bumps it: edits set version = version + 1 themselves; any other UPDATE that leaves
-- the version alone (stage changes, merges, imports, status changes) is bumped by the
-- trigger, so no write can slip past an editor unseen.
ALTER TABLE projects ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE leads ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE park_plots ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE FUNCTION bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.version = OLD.version THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER projects_version_bu BEFORE UPDATE ON projects
    FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER leads_version_bu BEFORE UPDATE ON leads
    FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER park_plots_version_bu BEFORE UPDATE ON park_plots
    FOR EACH ROW EXECUTE FUNCTION bump_version();
