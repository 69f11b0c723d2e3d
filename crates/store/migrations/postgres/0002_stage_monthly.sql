-- Monthly deltas of the stage history, kept by a trigger (see the SQLite migration
-- of the same number for the reasoning). park_id 0 stands for "no park yet".
CREATE TABLE stage_monthly (
    month             TEXT NOT NULL,
    stage             TEXT NOT NULL,
    park_id           BIGINT NOT NULL,
    reporting_unit_id BIGINT NOT NULL,
    d_count           BIGINT NOT NULL,
    d_investment      BIGINT NOT NULL,
    PRIMARY KEY (month, stage, park_id, reporting_unit_id)
);

CREATE INDEX stage_history_end ON stage_history(end_date) WHERE voided = 0 AND end_date IS NOT NULL;

CREATE FUNCTION stage_monthly_add(r stage_history, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF r.voided <> 0 THEN
        RETURN;
    END IF;
    INSERT INTO stage_monthly AS m (month, stage, park_id, reporting_unit_id, d_count, d_investment)
    VALUES (substr(r.effective_date, 1, 7), r.stage, COALESCE(r.park_id, 0), r.reporting_unit_id, sign, sign * r.investment_yuan)
    ON CONFLICT (month, stage, park_id, reporting_unit_id)
    DO UPDATE SET d_count = m.d_count + EXCLUDED.d_count, d_investment = m.d_investment + EXCLUDED.d_investment;
    IF r.end_date IS NOT NULL THEN
        INSERT INTO stage_monthly AS m (month, stage, park_id, reporting_unit_id, d_count, d_investment)
        VALUES (substr(r.end_date, 1, 7), r.stage, COALESCE(r.park_id, 0), r.reporting_unit_id, -sign, -sign * r.investment_yuan)
        ON CONFLICT (month, stage, park_id, reporting_unit_id)
        DO UPDATE SET d_count = m.d_count + EXCLUDED.d_count, d_investment = m.d_investment + EXCLUDED.d_investment;
    END IF;
END $$;

CREATE FUNCTION stage_monthly_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM stage_monthly_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM stage_monthly_add(NEW, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER stage_monthly_sync AFTER INSERT OR UPDATE OR DELETE ON stage_history
    FOR EACH ROW EXECUTE FUNCTION stage_monthly_trigger();

INSERT INTO stage_monthly (month, stage, park_id, reporting_unit_id, d_count, d_investment)
SELECT month, stage, park_id, reporting_unit_id, SUM(c), SUM(i) FROM (
    SELECT substr(effective_date, 1, 7) AS month, stage, COALESCE(park_id, 0) AS park_id, reporting_unit_id, 1 AS c, investment_yuan AS i
      FROM stage_history WHERE voided = 0
    UNION ALL
    SELECT substr(end_date, 1, 7), stage, COALESCE(park_id, 0), reporting_unit_id, -1, -investment_yuan
      FROM stage_history WHERE voided = 0 AND end_date IS NOT NULL
) x GROUP BY month, stage, park_id, reporting_unit_id;
