-- Two leads of one company, both admitted: merging them merges their projects. The
-- duplicate's project is kept, read-only, pointing at the project that survived; its
-- standing stage history is voided by the merge (and restored by an undo), so every
-- total counts the company once.
ALTER TABLE projects ADD COLUMN merged_into BIGINT REFERENCES projects(id);
CREATE INDEX projects_merged_into ON projects(merged_into) WHERE merged_into IS NOT NULL;

-- Leads are only ever looked up by the lead they were merged into, so the index holds
-- merged leads only: an insert of a live lead (all of a ledger import's) maintains
-- nothing here.
DROP INDEX leads_merged_into;
CREATE INDEX leads_merged_into ON leads(merged_into) WHERE merged_into IS NOT NULL;
