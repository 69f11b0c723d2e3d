-- stage_monthly kept per statement instead of per row. A per-row upsert updates the same
-- few thousand (month, stage, park, unit) rows again and again; inside one transaction
-- PostgreSQL keeps every superseded version until the commit, so each update walks a
-- longer chain: a 100,000-row ledger import (290,000 history rows in one transaction)
-- spent minutes there. Statement-level triggers with transition tables add each
-- statement's rows once per key, with the same sums as before.
DROP TRIGGER stage_monthly_sync ON stage_history;

CREATE FUNCTION stage_monthly_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stage_monthly AS m (month, stage, park_id, reporting_unit_id, d_count, d_investment)
    SELECT month, stage, park_id, reporting_unit_id, SUM(c), SUM(i) FROM (
        SELECT substr(effective_date, 1, 7) AS month, stage, COALESCE(park_id, 0) AS park_id, reporting_unit_id,
               1::BIGINT AS c, investment_yuan AS i FROM new_rows WHERE voided = 0
        UNION ALL
        SELECT substr(end_date, 1, 7), stage, COALESCE(park_id, 0), reporting_unit_id, -1, -investment_yuan
          FROM new_rows WHERE voided = 0 AND end_date IS NOT NULL
    ) x GROUP BY month, stage, park_id, reporting_unit_id
    ON CONFLICT (month, stage, park_id, reporting_unit_id)
    DO UPDATE SET d_count = m.d_count + EXCLUDED.d_count, d_investment = m.d_investment + EXCLUDED.d_investment;
    RETURN NULL;
END $$;

CREATE FUNCTION stage_monthly_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stage_monthly AS m (month, stage, park_id, reporting_unit_id, d_count, d_investment)
    SELECT month, stage, park_id, reporting_unit_id, SUM(c), SUM(i) FROM (
        SELECT substr(effective_date, 1, 7) AS month, stage, COALESCE(park_id, 0) AS park_id, reporting_unit_id,
               1::BIGINT AS c, investment_yuan AS i FROM new_rows WHERE voided = 0
        UNION ALL
        SELECT substr(end_date, 1, 7), stage, COALESCE(park_id, 0), reporting_unit_id, -1, -investment_yuan
          FROM new_rows WHERE voided = 0 AND end_date IS NOT NULL
        UNION ALL
        SELECT substr(effective_date, 1, 7), stage, COALESCE(park_id, 0), reporting_unit_id, -1, -investment_yuan
          FROM old_rows WHERE voided = 0
        UNION ALL
        SELECT substr(end_date, 1, 7), stage, COALESCE(park_id, 0), reporting_unit_id, 1, investment_yuan
          FROM old_rows WHERE voided = 0 AND end_date IS NOT NULL
    ) x GROUP BY month, stage, park_id, reporting_unit_id
    ON CONFLICT (month, stage, park_id, reporting_unit_id)
    DO UPDATE SET d_count = m.d_count + EXCLUDED.d_count, d_investment = m.d_investment + EXCLUDED.d_investment;
    RETURN NULL;
END $$;

CREATE FUNCTION stage_monthly_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stage_monthly AS m (month, stage, park_id, reporting_unit_id, d_count, d_investment)
    SELECT month, stage, park_id, reporting_unit_id, SUM(c), SUM(i) FROM (
        SELECT substr(effective_date, 1, 7) AS month, stage, COALESCE(park_id, 0) AS park_id, reporting_unit_id,
               -1::BIGINT AS c, -investment_yuan AS i FROM old_rows WHERE voided = 0
        UNION ALL
        SELECT substr(end_date, 1, 7), stage, COALESCE(park_id, 0), reporting_unit_id, 1, investment_yuan
          FROM old_rows WHERE voided = 0 AND end_date IS NOT NULL
    ) x GROUP BY month, stage, park_id, reporting_unit_id
    ON CONFLICT (month, stage, park_id, reporting_unit_id)
    DO UPDATE SET d_count = m.d_count + EXCLUDED.d_count, d_investment = m.d_investment + EXCLUDED.d_investment;
    RETURN NULL;
END $$;

CREATE TRIGGER stage_monthly_ins AFTER INSERT ON stage_history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stage_monthly_ins();
CREATE TRIGGER stage_monthly_upd AFTER UPDATE ON stage_history
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stage_monthly_upd();
CREATE TRIGGER stage_monthly_del AFTER DELETE ON stage_history
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stage_monthly_del();
