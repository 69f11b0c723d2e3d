-- Company-name search by character bigrams, and covering indexes for the lead list
-- under unit scoping (see the SQLite migration of the same number).
ALTER TABLE leads ADD COLUMN name_norm TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN name_grams TEXT NOT NULL DEFAULT '';

DROP INDEX leads_company_trgm;
CREATE INDEX leads_name_grams ON leads USING gin (string_to_array(name_grams, ' '));

DROP INDEX leads_reported;
DROP INDEX leads_status_reported;
DROP INDEX leads_industry_reported;
DROP INDEX leads_section_reported;
CREATE INDEX leads_reported ON leads(reported_date, id, reporting_unit_id, reported_by);
CREATE INDEX leads_status_reported ON leads(status, reported_date, id, reporting_unit_id, reported_by);
CREATE INDEX leads_industry_reported ON leads(industry_code, reported_date, id, reporting_unit_id, reported_by);
CREATE INDEX leads_section_reported ON leads(industry_section, reported_date, id, reporting_unit_id, reported_by);
CREATE INDEX leads_investment ON leads(planned_investment_yuan DESC NULLS LAST, id DESC, reporting_unit_id, reported_by);
