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

-- the monthly figures do not depend on the credit columns: their update triggers fire only
-- for the columns they sum (and not for the fill below)
DROP TRIGGER stage_monthly_au_old;
DROP TRIGGER stage_monthly_au_new;

UPDATE stage_history SET
    credit_unit = COALESCE((SELECT l.reporting_unit_id FROM projects p JOIN leads l ON l.id = p.lead_id WHERE p.id = stage_history.project_id), reporting_unit_id),
    credit_user = COALESCE((SELECT l.reported_by FROM projects p JOIN leads l ON l.id = p.lead_id WHERE p.id = stage_history.project_id), reported_by),
    credit_tags = COALESCE((SELECT l.investor_tags FROM projects p JOIN leads l ON l.id = p.lead_id WHERE p.id = stage_history.project_id), ''),
    credit_division = (SELECT SUBSTR(COALESCE(p.industry_code, l.industry_code), 1, 2) FROM projects p LEFT JOIN leads l ON l.id = p.lead_id WHERE p.id = stage_history.project_id);

CREATE TRIGGER stage_monthly_au_old AFTER UPDATE OF stage, effective_date, end_date, investment_yuan, park_id, reporting_unit_id, voided ON stage_history WHEN old.voided = 0 BEGIN
    INSERT INTO stage_monthly (month, stage, park_id, reporting_unit_id, d_count, d_investment)
        SELECT substr(old.effective_date, 1, 7), old.stage, COALESCE(old.park_id, 0), old.reporting_unit_id, -1, -old.investment_yuan WHERE 1
        ON CONFLICT (month, stage, park_id, reporting_unit_id)
        DO UPDATE SET d_count = d_count + excluded.d_count, d_investment = d_investment + excluded.d_investment;
    INSERT INTO stage_monthly (month, stage, park_id, reporting_unit_id, d_count, d_investment)
        SELECT substr(old.end_date, 1, 7), old.stage, COALESCE(old.park_id, 0), old.reporting_unit_id, 1, old.investment_yuan
        WHERE old.end_date IS NOT NULL
        ON CONFLICT (month, stage, park_id, reporting_unit_id)
        DO UPDATE SET d_count = d_count + excluded.d_count, d_investment = d_investment + excluded.d_investment;
END;

CREATE TRIGGER stage_monthly_au_new AFTER UPDATE OF stage, effective_date, end_date, investment_yuan, park_id, reporting_unit_id, voided ON stage_history WHEN new.voided = 0 BEGIN
    INSERT INTO stage_monthly (month, stage, park_id, reporting_unit_id, d_count, d_investment)
        SELECT substr(new.effective_date, 1, 7), new.stage, COALESCE(new.park_id, 0), new.reporting_unit_id, 1, new.investment_yuan WHERE 1
        ON CONFLICT (month, stage, park_id, reporting_unit_id)
        DO UPDATE SET d_count = d_count + excluded.d_count, d_investment = d_investment + excluded.d_investment;
    INSERT INTO stage_monthly (month, stage, park_id, reporting_unit_id, d_count, d_investment)
        SELECT substr(new.end_date, 1, 7), new.stage, COALESCE(new.park_id, 0), new.reporting_unit_id, -1, -new.investment_yuan
        WHERE new.end_date IS NOT NULL
        ON CONFLICT (month, stage, park_id, reporting_unit_id)
        DO UPDATE SET d_count = d_count + excluded.d_count, d_investment = d_investment + excluded.d_investment;
END;

-- an entry written without its credit takes it from its project and lead
CREATE TRIGGER stage_credit_ai AFTER INSERT ON stage_history WHEN new.credit_user IS NULL BEGIN
    UPDATE stage_history SET
        credit_unit = COALESCE((SELECT l.reporting_unit_id FROM projects p JOIN leads l ON l.id = p.lead_id WHERE p.id = new.project_id), new.reporting_unit_id),
        credit_user = COALESCE((SELECT l.reported_by FROM projects p JOIN leads l ON l.id = p.lead_id WHERE p.id = new.project_id), new.reported_by),
        credit_tags = COALESCE((SELECT l.investor_tags FROM projects p JOIN leads l ON l.id = p.lead_id WHERE p.id = new.project_id), ''),
        credit_division = (SELECT SUBSTR(COALESCE(p.industry_code, l.industry_code), 1, 2) FROM projects p LEFT JOIN leads l ON l.id = p.lead_id WHERE p.id = new.project_id)
    WHERE id = new.id;
END;

-- a lead's reporter, unit, tags or industry changed: its projects' entries follow
CREATE TRIGGER stage_credit_lead AFTER UPDATE OF reporting_unit_id, reported_by, investor_tags, industry_code ON leads BEGIN
    UPDATE stage_history SET
        credit_unit = new.reporting_unit_id,
        credit_user = new.reported_by,
        credit_tags = new.investor_tags,
        credit_division = (SELECT SUBSTR(COALESCE(p.industry_code, new.industry_code), 1, 2) FROM projects p WHERE p.id = stage_history.project_id)
    WHERE project_id IN (SELECT id FROM projects WHERE lead_id = new.id);
END;

-- a project moved to another lead, or its industry changed: its entries follow
CREATE TRIGGER stage_credit_project AFTER UPDATE OF lead_id, industry_code ON projects BEGIN
    UPDATE stage_history SET
        credit_unit = COALESCE((SELECT reporting_unit_id FROM leads WHERE id = new.lead_id), reporting_unit_id),
        credit_user = COALESCE((SELECT reported_by FROM leads WHERE id = new.lead_id), reported_by),
        credit_tags = COALESCE((SELECT investor_tags FROM leads WHERE id = new.lead_id), ''),
        credit_division = SUBSTR(COALESCE(new.industry_code, (SELECT industry_code FROM leads WHERE id = new.lead_id)), 1, 2)
    WHERE project_id = new.id;
END;

DROP INDEX stage_history_credit;
-- covering: with `voided` itself among its columns, or SQLite visits each row to test it
CREATE INDEX stage_history_credit ON stage_history(effective_date, stage, recorded_at, credit_unit, credit_user, credit_tags, credit_division, amount_yuan, investment_yuan, voided) WHERE voided = 0;

-- a bulletin counts a year of activities by kind and unit, and by person, as known and
-- standing at its moment: with the as-of columns in the index it never visits the rows
DROP INDEX activities_date;
CREATE INDEX activities_date ON activities(activity_date, kind, unit_id, created_at, voided_at);
