-- Each stage entry carries the credit it is assessed under as things stand: the unit,
-- reporter and investor tags of its project's lead (its own unit and reporter when the
-- project has no lead) and the industry division (two digits of the project's industry,
-- else the lead's). A bulletin sums a year of entries by these from one covering index,
-- without looking each entry's project and lead up. Triggers keep them in step whenever a
-- lead's or a project's credit columns change; an insert that leaves them NULL has them
-- filled from the project and lead.
ALTER TABLE stage_history ADD COLUMN credit_unit BIGINT;
ALTER TABLE stage_history ADD COLUMN credit_user BIGINT;
ALTER TABLE stage_history ADD COLUMN credit_tags TEXT;
ALTER TABLE stage_history ADD COLUMN credit_division TEXT;

-- the fill changes no column the monthly figures sum
ALTER TABLE stage_history DISABLE TRIGGER stage_monthly_upd;
UPDATE stage_history h SET
    credit_unit = COALESCE(l.reporting_unit_id, h.reporting_unit_id),
    credit_user = COALESCE(l.reported_by, h.reported_by),
    credit_tags = COALESCE(l.investor_tags, ''),
    credit_division = SUBSTR(COALESCE(p.industry_code, l.industry_code), 1, 2)
FROM projects p LEFT JOIN leads l ON l.id = p.lead_id
WHERE p.id = h.project_id;
ALTER TABLE stage_history ENABLE TRIGGER stage_monthly_upd;

-- an entry written without its credit takes it from its project and lead
CREATE FUNCTION stage_credit_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT COALESCE(l.reporting_unit_id, NEW.reporting_unit_id), COALESCE(l.reported_by, NEW.reported_by),
           COALESCE(l.investor_tags, ''), SUBSTR(COALESCE(p.industry_code, l.industry_code), 1, 2)
      INTO NEW.credit_unit, NEW.credit_user, NEW.credit_tags, NEW.credit_division
      FROM projects p LEFT JOIN leads l ON l.id = p.lead_id WHERE p.id = NEW.project_id;
    RETURN NEW;
END $$;
CREATE TRIGGER stage_credit_fill BEFORE INSERT ON stage_history
    FOR EACH ROW WHEN (NEW.credit_user IS NULL) EXECUTE FUNCTION stage_credit_fill();

-- a lead's reporter, unit, tags or industry changed: its projects' entries follow
CREATE FUNCTION stage_credit_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stage_history h SET
        credit_unit = NEW.reporting_unit_id,
        credit_user = NEW.reported_by,
        credit_tags = NEW.investor_tags,
        credit_division = SUBSTR(COALESCE(p.industry_code, NEW.industry_code), 1, 2)
    FROM projects p WHERE p.lead_id = NEW.id AND h.project_id = p.id;
    RETURN NULL;
END $$;
CREATE TRIGGER stage_credit_lead AFTER UPDATE OF reporting_unit_id, reported_by, investor_tags, industry_code ON leads
    FOR EACH ROW EXECUTE FUNCTION stage_credit_lead();

-- a project moved to another lead, or its industry changed: its entries follow
CREATE FUNCTION stage_credit_project() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stage_history h SET
        credit_unit = COALESCE(l.reporting_unit_id, h.reporting_unit_id),
        credit_user = COALESCE(l.reported_by, h.reported_by),
        credit_tags = COALESCE(l.investor_tags, ''),
        credit_division = SUBSTR(COALESCE(NEW.industry_code, l.industry_code), 1, 2)
    FROM (SELECT NEW.lead_id AS id) x LEFT JOIN leads l ON l.id = x.id
    WHERE h.project_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER stage_credit_project AFTER UPDATE OF lead_id, industry_code ON projects
    FOR EACH ROW EXECUTE FUNCTION stage_credit_project();

DROP INDEX stage_history_credit;
-- covering: with `voided` itself among its columns, or SQLite visits each row to test it
CREATE INDEX stage_history_credit ON stage_history(effective_date, stage, recorded_at, credit_unit, credit_user, credit_tags, credit_division, amount_yuan, investment_yuan, voided) WHERE voided = 0;

-- a bulletin counts a year of activities by kind and unit, and by person, as known and
-- standing at its moment: with the as-of columns in the index it never visits the rows
DROP INDEX activities_date;
CREATE INDEX activities_date ON activities(activity_date, kind, unit_id, created_at, voided_at);
