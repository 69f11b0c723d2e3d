-- Lead-list indexes that cover every filter column, so that combined filters
-- (status + industry + unit, with any sort) count and page inside one index.
-- Industry filters are code ranges (a section is a range of division codes).
DROP INDEX leads_section_reported;
DROP INDEX leads_industry_reported;
DROP INDEX leads_investment;
CREATE INDEX leads_industry_reported ON leads(industry_code, reported_date, id, reporting_unit_id, reported_by, status);
CREATE INDEX leads_status_industry ON leads(status, industry_code, planned_investment_yuan, reported_date, id, reporting_unit_id, reported_by);
CREATE INDEX leads_investment ON leads(planned_investment_yuan, id, reporting_unit_id, reported_by, status, industry_code);
-- Scoped users (a county, a park) seek their units first.
CREATE INDEX leads_unit_filters ON leads(reporting_unit_id, status, industry_code, reported_date, planned_investment_yuan, id, reported_by);
CREATE INDEX leads_name ON leads(company_name, id, reporting_unit_id, reported_by, status, industry_code);
