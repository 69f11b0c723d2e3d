-- Company-name search by character bigrams (fragments of two characters and more),
-- and covering indexes for the lead list under unit scoping.
ALTER TABLE leads ADD COLUMN name_norm TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN name_grams TEXT NOT NULL DEFAULT '';

DROP TRIGGER leads_fts_ai;
DROP TRIGGER leads_fts_ad;
DROP TRIGGER leads_fts_au;
DROP TABLE leads_fts;

-- Each bigram is one token; a fragment is the phrase of its bigrams.
CREATE VIRTUAL TABLE leads_grams USING fts5(name_grams, content='leads', content_rowid='id', tokenize='unicode61');
-- Index the rows already there (with their current, empty, grams) so that the
-- delete-then-insert of the update trigger finds what it deletes.
INSERT INTO leads_grams(leads_grams) VALUES ('rebuild');
CREATE TRIGGER leads_grams_ai AFTER INSERT ON leads BEGIN
    INSERT INTO leads_grams(rowid, name_grams) VALUES (new.id, new.name_grams);
END;
CREATE TRIGGER leads_grams_ad AFTER DELETE ON leads BEGIN
    INSERT INTO leads_grams(leads_grams, rowid, name_grams) VALUES ('delete', old.id, old.name_grams);
END;
CREATE TRIGGER leads_grams_au AFTER UPDATE OF name_grams ON leads BEGIN
    INSERT INTO leads_grams(leads_grams, rowid, name_grams) VALUES ('delete', old.id, old.name_grams);
    INSERT INTO leads_grams(rowid, name_grams) VALUES (new.id, new.name_grams);
END;

DROP INDEX leads_reported;
DROP INDEX leads_status_reported;
DROP INDEX leads_industry_reported;
DROP INDEX leads_section_reported;
CREATE INDEX leads_reported ON leads(reported_date, id, reporting_unit_id, reported_by);
CREATE INDEX leads_status_reported ON leads(status, reported_date, id, reporting_unit_id, reported_by);
CREATE INDEX leads_industry_reported ON leads(industry_code, reported_date, id, reporting_unit_id, reported_by);
CREATE INDEX leads_section_reported ON leads(industry_section, reported_date, id, reporting_unit_id, reported_by);
CREATE INDEX leads_investment ON leads(planned_investment_yuan, id, reporting_unit_id, reported_by);
