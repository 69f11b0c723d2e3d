-- Assessment reads a year of stage entries and admitted leads for every bulletin: covering
-- indexes so those reads never visit the tables' wide rows. A stage entry's date, stage, as-of
-- time and amounts; a project's lead and industry; a lead's reporter, tags and industry (the
-- join from a project to the credit of its lead); admitted leads by report date with what
-- they are credited by.
CREATE INDEX stage_history_credit ON stage_history(effective_date, stage, recorded_at, project_id, amount_yuan, investment_yuan, reporting_unit_id, reported_by) WHERE voided = 0;
CREATE INDEX projects_credit ON projects(id, lead_id, industry_code);
CREATE INDEX leads_credit ON leads(id, reporting_unit_id, reported_by, investor_tags, industry_code);
CREATE INDEX leads_admitted_credit ON leads(reported_date, reporting_unit_id, reported_by, investor_tags, industry_code, created_at) WHERE status = 'admitted';
