-- The company-name key (core + trade words, from fenglai-identity: 苏州华芯科技有限公司 and
-- 华芯科技(苏州)有限公司 share 华芯科技): where duplicate detection looks for lookalikes.
-- Filled at insert; rows from before are filled at start-up.
ALTER TABLE leads ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX leads_name_key ON leads(name_key);
