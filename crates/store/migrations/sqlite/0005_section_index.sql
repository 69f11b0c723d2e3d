-- A section filter is an equality on industry_section (an OR of a code range and the
-- bare letter turned PostgreSQL's count into a bitmap heap scan); the report-date
-- index carries the filter columns so that paging along it reads no table rows.
CREATE INDEX leads_section_reported ON leads(industry_section, reported_date, id, reporting_unit_id, reported_by, status);
DROP INDEX leads_reported;
CREATE INDEX leads_reported ON leads(reported_date, id, reporting_unit_id, reported_by, status, industry_code, industry_section);
