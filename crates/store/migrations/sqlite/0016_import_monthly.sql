-- A ledger import adds its projects' monthly figures once, set-based, instead of two
-- upserts per stage-history row by trigger. While an import writes, its range of
-- project ids sits in stage_monthly_deferred (inside the import's transaction, so no
-- other connection ever sees it); the insert trigger leaves rows of that range alone,
-- and the import adds them, summed in memory, one upsert a key, and removes the range before it
-- commits (store::imports::add_monthly). The sums are the same as the trigger's.
CREATE TABLE stage_monthly_deferred (
    first_project BIGINT NOT NULL,
    last_project  BIGINT NOT NULL
);

DROP TRIGGER stage_monthly_ai;
CREATE TRIGGER stage_monthly_ai AFTER INSERT ON stage_history
WHEN new.voided = 0 AND NOT EXISTS (
    SELECT 1 FROM stage_monthly_deferred d WHERE new.project_id BETWEEN d.first_project AND d.last_project
) BEGIN
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
