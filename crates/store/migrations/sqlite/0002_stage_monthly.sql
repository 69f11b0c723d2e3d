-- Monthly deltas of the stage history, kept by triggers, so that figures as of any
-- date read at most one month of raw history plus a small aggregate.
-- A live history row adds (+1, +investment) in the month it took effect and
-- (-1, -investment) in the month it ended. "In stage S on day D" is then the sum of
-- deltas for months before D's month plus the raw rows of D's month up to D.
-- park_id 0 stands for "no park yet".
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

CREATE TRIGGER stage_monthly_ai AFTER INSERT ON stage_history WHEN new.voided = 0 BEGIN
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

-- An update takes the old row's contribution out and puts the new one's in.
CREATE TRIGGER stage_monthly_au_old AFTER UPDATE ON stage_history WHEN old.voided = 0 BEGIN
    INSERT INTO stage_monthly (month, stage, park_id, reporting_unit_id, d_count, d_investment)
        SELECT substr(old.effective_date, 1, 7), old.stage, COALESCE(old.park_id, 0), old.reporting_unit_id, -1, -old.investment_yuan WHERE 1
        ON CONFLICT (month, stage, park_id, reporting_unit_id)
        DO UPDATE SET d_count = d_count + excluded.d_count, d_investment = d_investment + excluded.d_investment;
    INSERT INTO stage_monthly (month, stage, park_id, reporting_unit_id, d_count, d_investment)
        SELECT substr(old.end_date, 1, 7), old.stage, COALESCE(old.park_id, 0), old.reporting_unit_id, 1, old.investment_yuan
        WHERE old.end_date IS NOT NULL
        ON CONFLICT (month, stage, park_id, reporting_unit_id)
        DO UPDATE SET d_count = d_count + excluded.d_count, d_investment = d_investment + excluded.d_investment;
END;

CREATE TRIGGER stage_monthly_au_new AFTER UPDATE ON stage_history WHEN new.voided = 0 BEGIN
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

CREATE TRIGGER stage_monthly_ad AFTER DELETE ON stage_history WHEN old.voided = 0 BEGIN
    INSERT INTO stage_monthly (month, stage, park_id, reporting_unit_id, d_count, d_investment)
        SELECT substr(old.effective_date, 1, 7), old.stage, COALESCE(old.park_id, 0), old.reporting_unit_id, -1, -old.investment_yuan WHERE 1
        ON CONFLICT (month, stage, park_id, reporting_unit_id)
        DO UPDATE SET d_count = d_count + excluded.d_count, d_investment = d_investment + excluded.d_investment;
    INSERT INTO stage_monthly (month, stage, park_id, reporting_unit_id, d_count, d_investment)
        SELECT substr(old.end_date, 1, 7), old.stage, COALESCE(old.park_id, 0), old.reporting_unit_id, 1, old.investment_yuan
        WHERE old.end_date IS NOT NULL
        ON CONFLICT (month, stage, park_id, reporting_unit_id)
        DO UPDATE SET d_count = d_count + excluded.d_count, d_investment = d_investment + excluded.d_investment;
END;

-- Rows already there.
INSERT INTO stage_monthly (month, stage, park_id, reporting_unit_id, d_count, d_investment)
SELECT month, stage, park_id, reporting_unit_id, SUM(c), SUM(i) FROM (
    SELECT substr(effective_date, 1, 7) AS month, stage, COALESCE(park_id, 0) AS park_id, reporting_unit_id, 1 AS c, investment_yuan AS i
      FROM stage_history WHERE voided = 0
    UNION ALL
    SELECT substr(end_date, 1, 7), stage, COALESCE(park_id, 0), reporting_unit_id, -1, -investment_yuan
      FROM stage_history WHERE voided = 0 AND end_date IS NOT NULL
) x GROUP BY month, stage, park_id, reporting_unit_id;
