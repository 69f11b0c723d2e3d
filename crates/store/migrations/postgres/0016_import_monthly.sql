-- A ledger import adds its projects' monthly figures once, set-based, instead of once
-- per INSERT statement of stage-history rows. While an import writes, its range of
-- project ids sits in stage_monthly_deferred (inside the import's transaction, so no
-- other transaction ever sees it); the insert trigger leaves rows of that range alone,
-- and the import adds them, summed in memory, one upsert a key, and removes the range before it
-- commits (store::imports::add_monthly). The sums are the same as the trigger's.
CREATE TABLE stage_monthly_deferred (
    first_project BIGINT NOT NULL,
    last_project  BIGINT NOT NULL
);

CREATE OR REPLACE FUNCTION stage_monthly_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH live AS (
        SELECT * FROM new_rows r WHERE voided = 0 AND NOT EXISTS (
            SELECT 1 FROM stage_monthly_deferred d WHERE r.project_id BETWEEN d.first_project AND d.last_project))
    INSERT INTO stage_monthly AS m (month, stage, park_id, reporting_unit_id, d_count, d_investment)
    SELECT month, stage, park_id, reporting_unit_id, SUM(c), SUM(i) FROM (
        SELECT substr(effective_date, 1, 7) AS month, stage, COALESCE(park_id, 0) AS park_id, reporting_unit_id,
               1::BIGINT AS c, investment_yuan AS i FROM live
        UNION ALL
        SELECT substr(end_date, 1, 7), stage, COALESCE(park_id, 0), reporting_unit_id, -1, -investment_yuan
          FROM live WHERE end_date IS NOT NULL
    ) x GROUP BY month, stage, park_id, reporting_unit_id
    ON CONFLICT (month, stage, park_id, reporting_unit_id)
    DO UPDATE SET d_count = m.d_count + EXCLUDED.d_count, d_investment = m.d_investment + EXCLUDED.d_investment;
    RETURN NULL;
END $$;
